using Ablations.Common;
using System.CommandLine;
using Ablations.Config;
using Ablations.Data;
using Ablations.Reporting;
using Ablations.Training;

namespace Ablations.Cli.Commands;

/// <summary>`ablate data info [config.yaml]`: tokens, vocabulary, bytes per token and split sizes of a run's data.</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("config") { Description = "a run configuration (default: the built-in dotnet-docs corpus, byte tokenizer)", Arity = ArgumentArity.ZeroOrOne };
        var set = new Option<string[]>("--set") { Description = "override a key, e.g. --set data.tokenizer=gpt2" };
        var info = new Command("info", "tokenise (once, cached) and describe the data of a configuration") { file, set };
        info.SetAction(r => CliRunner.Guard(() =>
        {
            var path = r.GetValue(file);
            var overrides = r.GetValue(set) ?? Array.Empty<string>();
            var config = path != null ? RunConfig.Load(path, overrides) : ConfigLoader.Parse<RunConfig>("", "(defaults)", overrides);
            var started = DateTime.UtcNow;
            using var data = CliRunner.InRunFile(path, overrides, () => DataFactory.Prepare(config.Data, config.SequenceLength, Directory.GetCurrentDirectory(), Console.WriteLine));
            Console.WriteLine($"data            {data.Description}");
            Console.WriteLine($"vocabulary      {data.VocabSize:N0}");
            Console.WriteLine($"train tokens    {data.TrainTokens:N0}");
            Console.WriteLine($"val tokens      {data.ValidationTokens:N0}");
            if (data.Corpus is { } c)
            {
                Console.WriteLine($"documents       {c.Documents:N0} ({c.ValidationDocuments:N0} held out for validation)");
                Console.WriteLine($"text            {Units.Bytes(c.TrainBytes)} train, {Units.Bytes(c.ValidationBytes)} validation");
                Console.WriteLine($"bytes per token {(double)(c.TrainBytes + c.ValidationBytes) / (c.TrainTokens + c.ValidationTokens):F3}");
                Console.WriteLine($"cache           {Path.Combine(TokenCache.Root, "tokens", c.Key)}");
            }
            if (data.LossFloor is double floor) Console.WriteLine($"loss floor      {floor:F4} nats/token ({data.LossFloorNote})");
            Console.WriteLine($"sequence        {data.Train.SequenceLength} tokens");
            Console.WriteLine($"prepared in     {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            return CliRunner.Ok;
        }));
        return new Command("data", "inspect training data") { info };
    }
}
