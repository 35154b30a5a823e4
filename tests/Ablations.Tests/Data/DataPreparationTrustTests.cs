using System.Diagnostics;
using Ablations.Config;
using Ablations.Data;
using Ablations.Tests.Cli;

namespace Ablations.Tests.Data;

/// <summary>
/// What data preparation remembers and where: cached facts follow the files' content (not their sizes and times), a
/// cache folder that cannot be used is one line naming it, and an interrupt stops tokenising at once, leaving a cache
/// that the next run completes to the same tokens.
/// </summary>
public class DataPreparationTrustTests
{
    readonly string _dir = TinyRuns.TempFolder("data-trust-");

    static DataConfig Tokens(int vocab) =>
        new() { Source = DataSource.Tokens, Paths = new[] { "." }, VocabSize = vocab, Tokenizer = TokenizerKind.None };

    /// <summary>Writes <paramref name="bytes"/> over <paramref name="path"/>, keeping its modification time.</summary>
    static void RewriteKeepingTime(string path, byte[] bytes)
    {
        var time = File.GetLastWriteTimeUtc(path);
        Assert.Equal(new FileInfo(path).Length, bytes.Length);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, time);
    }

    [Fact]
    public void A_token_file_rewritten_with_its_size_and_time_is_checked_again()
    {
        var train = TestCorpora.Tokens(_dir, "train.bin", Enumerable.Range(0, 500).Select(i => i % 65));
        TestCorpora.Tokens(_dir, "val.bin", Enumerable.Range(0, 100).Select(i => i % 65));
        using (var first = DataFactory.Prepare(Tokens(65), 8, _dir)) Assert.Equal(500, first.TrainTokens);

        var bytes = File.ReadAllBytes(train);
        BitConverter.GetBytes((ushort)100).CopyTo(bytes, 2 * 10);   // id 100 at token 10, beyond the vocabulary
        RewriteKeepingTime(train, bytes);
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Tokens(65), 8, _dir));
        Assert.Equal("data.vocab_size", e.Key);
        Assert.Equal($"token file '{train}' holds id 100 at token 10, at or above data.vocab_size = 65 " +
                     "(a wrong vocab_size, or not uint16 ids?)", e.Reason);
    }

    [Fact]
    public void A_text_file_rewritten_with_its_size_and_time_is_tokenised_again()
    {
        var file = TestCorpora.Sentences(_dir, 2000);
        var config = new DataConfig { Source = DataSource.Text, Paths = new[] { file } };
        string key;
        using (var first = DataFactory.Prepare(config, 16, _dir)) key = first.Corpus!.Key;
        RewriteKeepingTime(file, File.ReadAllBytes(file).Select(b => b == (byte)'a' ? (byte)'b' : b).ToArray());
        using var second = DataFactory.Prepare(config, 16, _dir);
        Assert.NotEqual(key, second.Corpus!.Key);
        var tokens = Path.Combine(TokenCache.Root, "tokens", second.Corpus.Key);
        var all = File.ReadAllBytes(Path.Combine(tokens, "train.bin"))
            .Concat(File.ReadAllBytes(Path.Combine(tokens, "val.bin")));
        Assert.DoesNotContain(all.Chunk(2), id => id[0] == (byte)'a');   // the new text, not the old one's tokens
    }

    /// <summary>A run file of a text corpus, for `ablate data info` in this test's folder.</summary>
    string RunFile(string extra = "")
    {
        var path = Path.Combine(_dir, "run.yaml");
        File.WriteAllText(path, "model:\n  d_model: 64\n  vocab_size: 512\ntrain:\n  context: 32\n" +
                                "data:\n  source: text\n  paths: [verses.txt]\n" + extra);
        return path;
    }

    [Fact]
    public void A_cache_variable_naming_a_file_is_one_line_naming_the_variable_and_the_path()
    {
        TestCorpora.Sentences(_dir, 500);
        var file = Path.Combine(_dir, "not-a-folder");
        File.WriteAllText(file, "x");
        var cache = new Dictionary<string, string?> { ["ABLATIONS_CACHE"] = file };
        var r = Repo.AblateWith(_dir, cache, TimeSpan.FromMinutes(2), "data", "info", RunFile());
        BadInput.Line(r, $"the token cache '{file}' ($ABLATIONS_CACHE) is a file, not a folder");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_cache_folder_that_cannot_be_written_is_one_line_naming_it()
    {
        TestCorpora.Sentences(_dir, 500);
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "read-only-cache")).FullName;
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var root = Environment.UserName == "root";
        if (root) Chattr("+i", folder);   // root writes through permissions, not through the immutable flag
        try
        {
            var cache = new Dictionary<string, string?> { ["ABLATIONS_CACHE"] = folder };
            var r = Repo.AblateWith(_dir, cache, TimeSpan.FromMinutes(2), "data", "info", RunFile());
            BadInput.Line(r, $"the token cache '{folder}' ($ABLATIONS_CACHE) cannot be written: ");
        }
        finally
        {
            if (root) Chattr("-i", folder);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    static void Chattr(string flag, string folder)
    {
        using var process = Process.Start("chattr", new[] { flag, folder });
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"chattr {flag} {folder} failed");
    }

    /// <summary>A corpus that takes the GPT-2 tokenizer a few seconds, in <paramref name="folder"/>.</summary>
    static DataConfig Slow(string folder)
    {
        TestCorpora.Sentences(folder, 80_000);
        return new DataConfig
        {
            Source = DataSource.Text, Paths = new[] { "verses.txt" }, Tokenizer = TokenizerKind.Gpt2,
        };
    }

    [Fact]
    public void Cancelling_preparation_stops_it_within_two_seconds_and_the_next_run_gives_the_uninterrupted_tokens()
    {
        var config = Slow(_dir);
        using var cancel = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        cancel.CancelAfter(TimeSpan.FromMilliseconds(200));
        Assert.ThrowsAny<OperationCanceledException>(() => DataFactory.Prepare(config, 16, _dir, cancel: cancel.Token));
        Assert.InRange(watch.Elapsed.TotalSeconds, 0, 2.2);   // stopped within two seconds of the cancel

        using var resumed = DataFactory.Prepare(config, 16, _dir);
        var entry = Path.Combine(TokenCache.Root, "tokens", resumed.Corpus!.Key);
        // nothing half-written is left
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(entry)!, resumed.Corpus.Key + ".tmp-*"));

        // the same corpus in another folder, prepared without interruption (ids are paths below the folder: the same)
        var elsewhere = TinyRuns.TempFolder("data-trust-straight-");
        using var straight = DataFactory.Prepare(Slow(elsewhere), 16, elsewhere);
        var reference = Path.Combine(TokenCache.Root, "tokens", straight.Corpus!.Key);
        Assert.NotEqual(entry, reference);
        foreach (var file in new[] { "train.bin", "val.bin" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(reference, file)),
                File.ReadAllBytes(Path.Combine(entry, file)));
    }

    [Fact]
    public async Task Sigterm_while_tokenising_exits_130_within_two_seconds_and_a_rerun_completes()
    {
        Slow(_dir);
        var cache = Path.Combine(_dir, "cache");
        var environment = new Dictionary<string, string?> { ["ABLATIONS_CACHE"] = cache };
        var args = new[] { "data", "info", RunFile("  tokenizer: gpt2\n"), "--set", "model.vocab_size=50304" };
        using (var process = Process.Start(Repo.AblateStart(_dir, environment, args))!)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            var tokens = Path.Combine(cache, "tokens");
            var watch = Stopwatch.StartNew();
            bool Started() => Directory.Exists(tokens) && Directory.GetDirectories(tokens, "*.tmp-*").Length > 0;
            while (!Started() && !process.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60))
                Thread.Sleep(20);
            Assert.False(process.HasExited, "tokenising finished before it could be interrupted");
            Thread.Sleep(200);
            var sent = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", new[] { "-TERM", process.Id.ToString() })) kill.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "SIGTERM was not honoured");
            var after = sent.Elapsed;
            Assert.True(after < TimeSpan.FromSeconds(2), $"exited {after.TotalSeconds:F1} s after SIGTERM");
            Assert.Equal(130, process.ExitCode);
            Assert.Contains("interrupted", await stderr);
            Assert.Empty(Directory.GetDirectories(tokens, "*.tmp-*"));
        }
        var rerun = Repo.AblateWith(_dir, environment, TimeSpan.FromMinutes(3), args);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr + rerun.Stdout);
        Assert.Contains("train tokens", rerun.Stdout);
    }
}
