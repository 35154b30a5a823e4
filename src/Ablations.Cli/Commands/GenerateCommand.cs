using System.CommandLine;
using Ablations.Config;
using Ablations.Data;
using Ablations.Model;
using Ablations.Training;
using TorchSharp;

namespace Ablations.Cli.Commands;

/// <summary>`ablate generate --checkpoint RUN --prompt TEXT`: decodes from a trained run with the KV cache.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "a run folder (or its checkpoint/ folder)", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "text to continue (token ids separated by spaces for synthetic data)", DefaultValueFactory = _ => "The " };
        var maxTokens = new Option<int>("--max-tokens") { Description = "tokens to generate", DefaultValueFactory = _ => 200 };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy", DefaultValueFactory = _ => 0.8 };
        var topK = new Option<int>("--top-k") { Description = "sample among the k likeliest tokens; 0 = all", DefaultValueFactory = _ => 40 };
        var seed = new Option<int>("--seed") { Description = "sampling seed", DefaultValueFactory = _ => 0 };
        var granularity = GranularityOption.Create();
        var command = new Command("generate", "generate text from a trained run") { checkpoint, prompt, maxTokens, temperature, topK, seed, granularity };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            var folder = r.GetValue(checkpoint)!;
            if (Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) == "checkpoint") folder = Path.GetDirectoryName(Path.GetFullPath(folder))!;
            var run = new RunFolder(folder);
            if (!File.Exists(run.ConfigFile)) throw new ConfigException("not a run folder: config.yaml is missing", folder);
            if (Checkpoint.ReadState(run.Path) == null) throw new ConfigException("the run has no checkpoint yet", folder);
            if (r.GetValue(maxTokens) <= 0) throw new ConfigException("must be positive", key: "--max-tokens");
            var config = run.ReadConfig();
            var subModel = GranularityOption.Resolve(config.Model, r.GetValue(granularity));
            using var model = new Decoder(config.Model, device: DeviceSelector.Select(config.Train.Device));
            try { Checkpoint.Load(run.Path, model, optimizer: null); }
            catch (Exception e) when (e is not ConfigException)
            {
                throw new ConfigException($"the checkpoint does not fit the model of config.yaml: {e.Message}", Checkpoint.Folder(run.Path));
            }
            var text = config.Data.Source is DataSource.DotnetDocs or DataSource.Text;
            var tokenizer = text ? TokenizerFactory.Create(config.Data.Tokenizer) : null;
            var ids = tokenizer != null ? tokenizer.Encode(r.GetValue(prompt)!) : ParseIds(r.GetValue(prompt)!, config.Model.VocabSize);
            var output = Sampler.Generate(model, ids, r.GetValue(maxTokens), r.GetValue(temperature), r.GetValue(topK), r.GetValue(seed), subModel).ToList();
            Console.WriteLine(tokenizer != null ? r.GetValue(prompt) + tokenizer.Decode(output) : string.Join(' ', ids.Concat(output)));
            return CliRunner.Ok;
        }));
        return command;
    }

    static int[] ParseIds(string prompt, int vocab)
    {
        var parts = prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out ids[i]) || ids[i] < 0 || ids[i] >= vocab)
                throw new ConfigException($"for synthetic data the prompt is token ids 0..{vocab - 1} separated by spaces; '{parts[i]}' is not one", key: "--prompt");
        return ids;
    }
}
