using Ablations.Cluster;
using Ablations.Common;
using Ablations.Config;

namespace Ablations.Tests.Cluster;

/// <summary>The pieces of the Slurm launcher that need no cluster: time limits, array specs, squeue and sacct output, options, the task list.</summary>
public class SlurmPartsTests
{
    [Theory]
    [InlineData("30", 30 * 60)]
    [InlineData("30:15", 30 * 60 + 15)]
    [InlineData("02:00:00", 2 * 3600)]
    [InlineData("1-12", 36 * 3600)]
    [InlineData("1-00:30", 24 * 3600 + 30 * 60)]
    [InlineData("2-01:02:03", 2 * 86400 + 3600 + 2 * 60 + 3)]
    public void Time_limits_are_read_in_every_form_sbatch_takes(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), SlurmTime.Parse(text));

    [Fact]
    public void No_limit_and_bad_limits_are_told_apart()
    {
        Assert.Null(SlurmTime.Parse("UNLIMITED"));
        Assert.Null(SlurmTime.Parse("0"));
        var e = Assert.Throws<ConfigException>(() => SlurmTime.Parse("2h"));
        Assert.Equal("--time: '2h' is not a Slurm time limit; allowed: HH:MM:SS, MM, MM:SS, D-HH, D-HH:MM, D-HH:MM:SS", e.Message);
    }

    [Fact]
    public void The_warning_before_the_limit_leaves_time_to_checkpoint_and_never_exceeds_the_limit()
    {
        Assert.Equal(120, SlurmTime.WarningSeconds(null));
        Assert.Equal(30, SlurmTime.WarningSeconds(TimeSpan.FromMinutes(2)));     // a tenth would be 12 s: at least 30
        Assert.Equal(60, SlurmTime.WarningSeconds(TimeSpan.FromMinutes(10)));    // a tenth
        Assert.Equal(300, SlurmTime.WarningSeconds(TimeSpan.FromHours(1)));     // a tenth (360 s), at most 5 minutes
        Assert.Equal(20, SlurmTime.WarningSeconds(TimeSpan.FromSeconds(40)));    // under a minute: half
    }

    [Fact]
    public void Array_indices_are_written_as_ranges()
    {
        Assert.Equal("0-3,5,7-9", ArrayIndices.Format(new[] { 9, 0, 1, 2, 3, 5, 7, 8 }));
        Assert.Equal("4", ArrayIndices.Format(new[] { 4 }));
    }

    [Fact]
    public void Squeue_lines_give_each_array_task_and_the_follow_up()
    {
        var entries = SlurmQueueEntry.Parse("12|0|12_0|RUNNING|None|node1\n12|3|12_3|PENDING|Resources|\n13|N/A|13|PENDING|Dependency|\n12|1|12_1|FAILED|NonZeroExitCode|node2\n");
        Assert.Equal(4, entries.Count);
        Assert.True(entries[0].IsRunning);
        Assert.Equal((3, "Resources"), (entries[1].Task!.Value, entries[1].Reason));
        Assert.Null(entries[2].Task);
        Assert.Equal(new[] { true, true, true, false }, entries.Select(e => e.IsActive));
    }

    [Fact]
    public void Sacct_lines_give_array_tasks_and_leave_out_whole_jobs()
    {
        var entries = SlurmAccountingEntry.Parse("12_0|COMPLETED|0:0\n12_1|CANCELLED by 0|0:15\n12_[4-7]|PENDING|0:0\n13|COMPLETED|0:0\n");
        Assert.Equal(new[] { ("12", 0, "COMPLETED"), ("12", 1, "CANCELLED") }, entries.Select(e => (e.ArrayJob, e.Task, e.State)));
    }

    [Theory]
    [InlineData("--array=0-3", "is set by ablate itself; use --array-parallelism for the %K part")]
    [InlineData("-J name", "is set by ablate itself")]
    [InlineData("-c4", "is set by ablate itself; use --cpus-per-task")]
    [InlineData("--time=01:00:00", "use --time")]
    [InlineData("mem=4G", "is not an sbatch option")]
    public void Sbatch_args_that_would_break_the_array_are_refused(string arg, string message)
    {
        var e = Assert.Throws<ConfigException>(() => new SlurmOptions { SbatchArgs = new[] { arg } }.Check());
        Assert.StartsWith("--sbatch-arg: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Other_sbatch_args_pass()
    {
        new SlurmOptions { SbatchArgs = new[] { "--mem=4G", "--account=lab", "--qos high", "-A lab" }, Time = "1-00:00:00" }.Check();
    }

    [Fact]
    public void Task_indices_keep_their_runs_across_submissions()
    {
        var dir = TinyRuns.TempFolder("slurm-tasks-");
        Assert.Equal(new[] { 0, 1, 2 }, SlurmTaskList.Read(dir).Add(new[] { "a/seed-0", "a/seed-1", "b/seed-0" }));
        var again = SlurmTaskList.Read(dir);
        Assert.Equal(new[] { 1, 3 }, again.Add(new[] { "a/seed-1", "b/lr=0.01/seed-1" }));
        Assert.Equal(3, SlurmTaskList.Read(dir).IndexOf("b/lr=0.01/seed-1"));
        Assert.Null(SlurmTaskList.Read(dir).IndexOf("c/seed-0"));
    }

    [Fact]
    public void Job_names_are_readable_and_differ_between_results_folders_of_one_experiment()
    {
        var a = SlurmJobLog.JobNameFor("/shared/results/attention.smoke");
        Assert.Matches("^ablate-attention\\.smoke-[0-9a-f]{6}$", a);
        Assert.Equal(a, SlurmJobLog.JobNameFor("/shared/results/attention.smoke/"));
        Assert.NotEqual(a, SlurmJobLog.JobNameFor("/scratch/results/attention.smoke"));
    }

    [Fact]
    public void A_held_run_folder_reads_as_held_and_the_probe_writes_nothing()
    {
        var dir = TinyRuns.TempFolder("slurm-lock-");
        Assert.False(FolderLock.IsHeld(dir));
        Assert.Empty(Directory.GetFiles(dir));                     // no .lock created by asking
        using (FolderLock.Acquire(dir, TimeSpan.Zero, _ => "held"))
            Assert.True(FolderLock.IsHeld(dir));
        Assert.False(FolderLock.IsHeld(dir));
    }
}
