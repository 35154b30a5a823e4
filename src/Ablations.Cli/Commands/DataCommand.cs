using Ablations.Common;
using System.CommandLine;
using System.Runtime.InteropServices;
using Ablations.Config;
using Ablations.Data;
using Ablations.Reporting;
using Ablations.Training;

namespace Ablations.Cli.Commands;

/// <summary>
/// `ablate data info [config.yaml]`: documents, how the validation split was made, tokens per split, vocabulary and
/// bytes per token of a run's data, tokenising it first (once, cached) with a progress bar.
/// </summary>
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
            var observer = new ConsoleObserver(config.Train.LogEvery);
            // Ctrl-C and SIGTERM stop tokenising within a document, leaving no half-written cache entry (exit 130).
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                cancel.Cancel();
            });
            using var data = CliRunner.InRunFile(path, overrides, () => observer.Wrap(() =>
                DataFactory.Prepare(config.Data, config.SequenceLength, Directory.GetCurrentDirectory(),
                    observer.OnMessage, observer.OnDataProgress, cancel.Token)));
            Console.CancelKeyPress -= onCancel;
            Console.WriteLine($"data            {data.Description}");
            Console.WriteLine($"vocabulary      {data.VocabSize:N0}");
            if (data.Corpus is { } c)
            {
                Console.WriteLine(c.Split == HeldOut.Files
                    ? "documents       not recorded in token files"
                    : $"documents       {c.Documents:N0} ({(c.Split == HeldOut.Tail ? "split by tokens, not documents" : $"{c.ValidationDocuments:N0} held out for validation")})");
                Console.WriteLine($"split           {data.Split}");
            }
            Console.WriteLine($"train tokens    {data.TrainTokens:N0}");
            Console.WriteLine($"val tokens      {data.ValidationTokens:N0}");
            if (data.Corpus is { } corpus)
            {
                var tokens = corpus.Split == HeldOut.Files;
                if (data.Tokenizer == null)
                    Console.WriteLine("bytes per token unknown (tokenizer: none): bits per byte are bits per token");
                else
                {
                    Console.WriteLine($"text            {(tokens ? "not measured" : Units.Bytes(corpus.TrainBytes))} train, {Units.Bytes(corpus.ValidationBytes)} validation");
                    Console.WriteLine($"bytes per token {data.BytesPerToken:F3} (validation text)");
                }
                if (tokens)
                {
                    var (train, validation) = TokenFiles.Locate(config.Data.Paths!, Directory.GetCurrentDirectory());
                    Console.WriteLine($"files           {train}, {validation} (memory-mapped where they lie)");
                }
                else Console.WriteLine($"cache           {Path.Combine(TokenCache.Root, "tokens", corpus.Key)}");
            }
            if (data.LossFloor is double floor) Console.WriteLine($"loss floor      {floor:F4} nats/token ({data.LossFloorNote})");
            Console.WriteLine($"sequence        {data.Train.SequenceLength} tokens");
            Console.WriteLine($"prepared in     {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            return CliRunner.Ok;
        }));
        return new Command("data", "inspect training data") { info };
    }
}
