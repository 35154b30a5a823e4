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
        var prompt = new Option<string>("--prompt") { Description = "text to continue (token ids separated by spaces for synthetic data and token files without a tokenizer)", DefaultValueFactory = _ => "The " };
        var maxTokens = NumberOption.Create("--max-tokens", "tokens to generate", 200, minimum: 1);
        var temperature = NumberOption.Create("--temperature", "0 = greedy", 0.8, minimum: 0);
        var topK = NumberOption.Create("--top-k", "sample among the k likeliest tokens; 0 = all", 40, minimum: 0);
        var seed = NumberOption.Create("--seed", "sampling seed", 0);
        var granularity = GranularityOption.Create();
        var command = new Command("generate", "generate text from a trained run") { checkpoint, prompt, maxTokens, temperature, topK, seed, granularity };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            var folder = r.GetValue(checkpoint)!;
            if (Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) == "checkpoint") folder = Path.GetDirectoryName(Path.GetFullPath(folder))!;
            var run = new RunFolder(folder);
            if (!File.Exists(run.ConfigFile)) throw new ConfigException("not a run folder: config.yaml is missing", folder);
            if (Checkpoint.ReadState(run.Path) == null) throw new ConfigException("the run has no checkpoint yet", folder);
            if (string.IsNullOrEmpty(r.GetValue(prompt))) throw new ConfigException(EmptyPrompt, key: "--prompt");
            var config = run.ReadConfig();
            var subModel = GranularityOption.Resolve(config.Model, r.GetValue(granularity));
            using var model = new Decoder(config.Model, device: DeviceSelector.Select(config.Train.Device));
            // A run that trained in bf16 generates in bf16 (bf16 products and a bf16 KV cache); config.yaml holds the
            // precision the run resolved (an old run without one trained in fp32).
            model.Precision = config.Train.Precision == Ablations.Config.Precision.Bf16 ? Ablations.Config.Precision.Bf16 : Ablations.Config.Precision.Fp32;
            try { Checkpoint.Load(run.Path, model, optimizer: null); }
            catch (Exception e) when (e is not ConfigException)
            {
                throw new ConfigException($"the checkpoint does not fit the model of config.yaml: {e.Message}", Checkpoint.Folder(run.Path));
            }
            var tokenizer = TokenizerFactory.Of(config.Data);
            var ids = tokenizer != null ? tokenizer.Encode(r.GetValue(prompt)!) : ParseIds(r.GetValue(prompt)!, config.Model.VocabSize);
            if (ids.Length == 0) throw new ConfigException(EmptyPrompt, key: "--prompt");
            var context = config.Model.ContextLength;
            if (ids.Length >= context)
                throw new ConfigException($"the prompt is {ids.Length} tokens, which fills the model's context of {context} (model.context_length) and leaves no room to generate; shorten it", key: "--prompt");
            var output = Sampler.Generate(model, ids, r.GetValue(maxTokens), r.GetValue(temperature), r.GetValue(topK), r.GetValue(seed), subModel).ToList();
            Console.WriteLine(tokenizer != null ? r.GetValue(prompt) + tokenizer.Decode(output) : string.Join(' ', ids.Concat(output)));
            if (output.Count < r.GetValue(maxTokens) && ids.Length + output.Count >= context)
                Console.Error.WriteLine($"note: generation stopped at the context length {context} (model.context_length): {ids.Length} prompt + {output.Count} generated tokens, " +
                                        $"fewer than the {r.GetValue(maxTokens)} of --max-tokens");
            return CliRunner.Ok;
        }));
        return command;
    }

    const string EmptyPrompt = "is empty; give text to continue (for data without a tokenizer, token ids separated by spaces)";

    static int[] ParseIds(string prompt, int vocab)
    {
        var parts = prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out ids[i]) || ids[i] < 0 || ids[i] >= vocab)
                throw new ConfigException($"for data without a tokenizer (synthetic tasks, token files of tokenizer: none) the prompt is token ids 0..{vocab - 1} separated by spaces; '{parts[i]}' is not one", key: "--prompt");
        return ids;
    }
}
