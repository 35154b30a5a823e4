using Ablations.Common;
using Ablations.Config;
using Ablations.Training;

namespace Ablations.Tests.Training;

/// <summary>
/// A run is resumed exactly or refused with a reason, never silently restarted or silently wrong: damaged
/// checkpoints, removed checkpoints, stale temporary files, and two trainers on one run folder.
/// </summary>
public class RunIntegrityTests
{

    /// <summary>12 steps with checkpoints after steps 4 and 8 (and 12).</summary>
    static RunConfig Config() => TinyRuns.Markov(steps: 12) with { Train = TinyRuns.Markov().Train with { Steps = 12, EvalEvery = 6, CheckpointEvery = 4 } };

    static List<string> Losses(string folder) =>
        MetricsFile.Read(Path.Combine(folder, "metrics.csv")).Select(r => $"{r.Step} {r.TrainLoss:R} {r.ValLoss:R}").ToList();

    /// <summary>A straight run, and a copy of it stopped after step 10 (checkpoints after 4 and 8 on disk).</summary>
    static (string Straight, string Stopped) StraightAndStopped(string name)
    {
        var config = Config();
        var straight = TinyRuns.TempFolder(name + "-straight-");
        new Trainer(config, straight).Run();
        var stopped = TinyRuns.TempFolder(name + "-stopped-");
        using var cancel = new CancellationTokenSource();
        Assert.Null(new Trainer(config, stopped, new CancelAfter(10, cancel)).Run(cancel: cancel.Token));
        // The Ctrl-C checkpoint (after step 10) becomes checkpoint/, the one after step 8 checkpoint.prev/.
        Assert.Equal(10, Checkpoint.ReadState(stopped)!.Step);
        return (straight, stopped);
    }


    public static IEnumerable<object[]> Damages() => new[]
    {
        new object[] { "model.bin", "truncate" }, new object[] { "model.bin", "zeros" }, new object[] { "optimizer.bin", "random" },
        new object[] { "state.json", "garbage" }, new object[] { "state.json", "delete" }, new object[] { "manifest.json", "delete" },
    };

    static void Damage(string file, string how)
    {
        var bytes = File.ReadAllBytes(file);
        switch (how)
        {
            case "truncate": File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]); break;
            case "zeros": Array.Clear(bytes, bytes.Length / 3, Math.Min(16384, bytes.Length / 3)); File.WriteAllBytes(file, bytes); break;
            case "random": new Random(1).NextBytes(bytes); File.WriteAllBytes(file, bytes); break;
            case "garbage": File.WriteAllText(file, "{ not json"); break;
            case "delete": File.Delete(file); break;
        }
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_checkpoint_falls_back_to_the_previous_one_naming_the_file_and_finishes_exactly(string file, string how)
    {
        var (straight, stopped) = StraightAndStopped($"damage-{how}");
        Damage(Path.Combine(stopped, "checkpoint", file), how);
        var messages = new MessageLog();
        Assert.NotNull(new Trainer(Config(), stopped, messages).Run());
        Assert.Contains(messages.All, m => m.Contains(Path.Combine("checkpoint", file)) && m.Contains("resuming from the previous checkpoint, after step 8"));
        Assert.Equal(Losses(straight), Losses(stopped));
        Assert.Equal(RunSummary.Read(straight)!.FinalValLoss, RunSummary.Read(stopped)!.FinalValLoss);
    }

    [Fact]
    public void When_no_checkpoint_verifies_the_run_is_refused_and_nothing_is_recorded()
    {
        var (_, stopped) = StraightAndStopped("both");
        Damage(Path.Combine(stopped, "checkpoint", "model.bin"), "zeros");
        Damage(Path.Combine(stopped, "checkpoint.prev", "optimizer.bin"), "truncate");
        var metrics = File.ReadAllText(Path.Combine(stopped, "metrics.csv"));
        var e = Assert.Throws<ConfigException>(() => new Trainer(Config(), stopped).Run());
        Assert.Equal(Path.Combine(stopped, "checkpoint", "model.bin"), e.File);
        Assert.Contains("SHA-256", e.Message);
        Assert.Contains(Path.Combine("checkpoint.prev", "optimizer.bin"), e.Message);
        Assert.Contains("--force", e.Message);
        Assert.False(File.Exists(Path.Combine(stopped, RunSummary.FileName)));
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(stopped, "metrics.csv")));
    }

    [Fact]
    public void Removed_checkpoints_are_not_silently_replaced_by_a_fresh_start()
    {
        var (_, stopped) = StraightAndStopped("removed");
        Directory.Delete(Path.Combine(stopped, "checkpoint"), recursive: true);
        Directory.Delete(Path.Combine(stopped, "checkpoint.prev"), recursive: true);
        var metrics = File.ReadAllText(Path.Combine(stopped, "metrics.csv"));
        var e = Assert.Throws<ConfigException>(() => new Trainer(Config(), stopped).Run());
        Assert.Contains("metrics.csv records 10 steps but the run folder has no checkpoint", e.Message);
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(stopped, "metrics.csv")));
    }

    [Fact]
    public void A_run_killed_while_saving_its_first_checkpoint_starts_over()
    {
        // Row 4 is written before the checkpoint after step 4 is saved: a kill in between leaves rows 1-4 and no checkpoint.
        var (_, stopped) = StraightAndStopped("first-save");
        var rows = File.ReadAllLines(Path.Combine(stopped, "metrics.csv"));
        File.WriteAllLines(Path.Combine(stopped, "metrics.csv"), rows.Take(5));   // header and steps 1-4
        Directory.Delete(Path.Combine(stopped, "checkpoint"), recursive: true);
        Directory.Delete(Path.Combine(stopped, "checkpoint.prev"), recursive: true);
        Assert.NotNull(new Trainer(Config(), stopped).Run());
        Assert.Equal(Enumerable.Range(1, 12), MetricsFile.Read(Path.Combine(stopped, "metrics.csv")).Select(r => r.Step));
    }

    [Fact]
    public void A_run_killed_before_its_first_checkpoint_starts_over_and_says_so()
    {
        var config = Config();
        var folder = TinyRuns.TempFolder("before-first-");
        using var cancel = new CancellationTokenSource();
        new Trainer(config with { Train = config.Train with { CheckpointEvery = 0 } }, folder, new CancelAfter(3, cancel)).Run(cancel: cancel.Token);
        Directory.Delete(Path.Combine(folder, "checkpoint"), recursive: true);   // as if killed: the Ctrl-C checkpoint never happened
        var messages = new MessageLog();
        Assert.NotNull(new Trainer(config with { Train = config.Train with { CheckpointEvery = 0 } }, folder, messages).Run());
        Assert.Contains(messages.All, m => m.Contains("no checkpoint yet") && m.Contains("starting over"));
        Assert.Equal(Enumerable.Range(1, 12), MetricsFile.Read(Path.Combine(folder, "metrics.csv")).Select(r => r.Step));
    }

    [Fact]
    public void Stale_temporary_files_are_cleaned_up_and_a_whole_unswapped_checkpoint_is_recovered()
    {
        var (straight, stopped) = StraightAndStopped("stale");
        File.WriteAllText(Path.Combine(stopped, "summary.json.tmp-99999"), "half");
        File.WriteAllText(Path.Combine(stopped, "metrics.csv.tmp"), "half");
        // A crash between the two renames of a save: checkpoint/ moved away, the whole new one still in checkpoint.tmp.
        Directory.Delete(Path.Combine(stopped, "checkpoint.prev"), recursive: true);
        Directory.Move(Path.Combine(stopped, "checkpoint"), Path.Combine(stopped, "checkpoint.tmp"));
        Assert.NotNull(new Trainer(Config(), stopped).Run());
        Assert.Empty(Directory.GetFiles(stopped, "*.tmp*"));
        Assert.False(Directory.Exists(Path.Combine(stopped, "checkpoint.tmp")));
        Assert.Equal(Losses(straight), Losses(stopped));
    }

    [Fact]
    public void A_second_trainer_of_the_same_folder_waits_then_refuses_naming_the_holder()
    {
        var folder = TinyRuns.TempFolder("locked-");
        using (FolderLock.Acquire(folder, TimeSpan.Zero, _ => "held"))
        {
            var messages = new MessageLog();
            var e = Assert.Throws<FolderBusyException>(() => new Trainer(Config(), folder, messages) { LockWait = TimeSpan.FromMilliseconds(600) }.Run());
            Assert.Contains($"process {Environment.ProcessId}", e.Message);
            Assert.Contains(messages.All, m => m.StartsWith("waiting for the trainer that holds"));
            Assert.False(File.Exists(Path.Combine(folder, "metrics.csv")));
        }
        Assert.NotNull(new Trainer(Config(), folder).Run());   // once released, the folder trains
    }

    [Fact]
    public void A_finished_run_is_reported_without_writing_anything()
    {
        var folder = TinyRuns.TempFolder("finished-");
        new Trainer(Config(), folder).Run();
        var before = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Thread.Sleep(20);
        Assert.NotNull(new Trainer(Config(), folder).Run());
        var after = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.Equal(before, after);
    }
}

/// <summary>Changes libtorch's process-wide thread count, so it runs alone with the other thread-sensitive tests.</summary>
[Collection(nameof(PinnedLosses))]
public class ResumeThreadTests
{


    [Fact]
    public void A_resumed_run_keeps_the_thread_count_it_started_with()
    {
        var threads = TorchSharp.torch.get_num_threads();
        try
        {
            var config = TinyRuns.Markov(steps: 10);
            var straight = TinyRuns.TempFolder("threads-straight-");
            new Trainer(config, straight) { Threads = 1 }.Run();
            var resumed = TinyRuns.TempFolder("threads-resumed-");
            using var cancel = new CancellationTokenSource();
            new Trainer(config, resumed, new CancelAfter(5, cancel)) { Threads = 1 }.Run(cancel: cancel.Token);
            Assert.Equal(1, Checkpoint.ReadState(resumed)!.Threads);
            var messages = new MessageLog();
            new Trainer(config, resumed, messages) { Threads = 2 }.Run();       // a rerun asking for another count
            Assert.Contains(messages.All, m => m.Contains("continuing on the 1 libtorch threads this run started with"));
            Assert.Equal(MetricsFile.Read(Path.Combine(straight, "metrics.csv")).Select(r => (r.TrainLoss, r.GradNorm)),
                MetricsFile.Read(Path.Combine(resumed, "metrics.csv")).Select(r => (r.TrainLoss, r.GradNorm)));
        }
        finally { TorchSharp.torch.set_num_threads(threads); }
    }
}
