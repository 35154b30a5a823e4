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
    [InlineData("-Jname", "is set by ablate itself")]
    [InlineData("-c4", "is set by ablate itself; use --cpus-per-task")]
    [InlineData("--time=01:00:00", "use --time")]
    [InlineData("-Dfoo", "is set by ablate itself")]
    [InlineData("--parsable", "is set by ablate itself")]
    [InlineData("--no-requeue", "is set by ablate itself")]
    // Unique prefixes, which sbatch's getopt_long takes for the option, and shared ones, which it calls ambiguous.
    [InlineData("--job-nam=evil", "is set by ablate itself ('--job-nam' can abbreviate --job-name)")]
    [InlineData("--job=evil", "('--job' can abbreviate --job-name)")]
    [InlineData("--j evil", "('--j' can abbreviate --job-name)")]
    [InlineData("--out=x.log", "('--out' can abbreviate --output)")]
    [InlineData("--o=x.log", "can abbreviate --output")]
    [InlineData("--open=truncate", "('--open' can abbreviate --open-mode)")]
    [InlineData("--ch=/x", "('--ch' can abbreviate --chdir)")]
    [InlineData("--c=/x", "can abbreviate")]
    [InlineData("--dep=afterok:1", "('--dep' can abbreviate --dependency)")]
    [InlineData("--cpus-per=2", "('--cpus-per' can abbreviate --cpus-per-task); use --cpus-per-task")]
    [InlineData("--cpus-per-t=2", "can abbreviate --cpus-per-task")]
    [InlineData("--gpus-per-t=1", "('--gpus-per-t' can abbreviate --gpus-per-task); use --gpus-per-task")]
    [InlineData("--gpus-=1", "can abbreviate --gpus-per-task")]
    [InlineData("--parsa", "can abbreviate --parsable")]
    [InlineData("--sig=B:USR1@60", "can abbreviate --signal")]
    [InlineData("--wra=true", "can abbreviate --wrap")]
    [InlineData("--req", "can abbreviate --requeue")]
    [InlineData("--no-req", "can abbreviate --no-requeue")]
    [InlineData("--tim=10", "('--tim' can abbreviate --time); use --time")]
    [InlineData("--part=gpu", "use --partition")]
    [InlineData("--err=x", "can abbreviate --error")]
    [InlineData("--arr 0-3", "use --array-parallelism")]
    // Clusters of short options, read letter by letter until one that takes an argument.
    [InlineData("-vJevil", "is set by ablate itself (-J in '-vJevil' is --job-name)")]
    [InlineData("-vQJ evil", "(-J in '-vQJ' is --job-name)")]
    [InlineData("-HOsQvVWhJx", "(-J in '-HOsQvVWhJx' is --job-name)")]
    [InlineData("-va0-3", "(-a in '-va0-3' is --array); use --array-parallelism")]
    [InlineData("-hc2", "(-c in '-hc2' is --cpus-per-task); use --cpus-per-task")]
    [InlineData("-vp gpu", "use --partition")]
    [InlineData("-Qt 10", "use --time")]
    [InlineData("-vo x.log", "(-o in '-vo' is --output)")]
    [InlineData("-ve x.log", "(-e in '-ve' is --error)")]
    [InlineData("-sD /x", "(-D in '-sD' is --chdir)")]
    [InlineData("-Wd afterok:1", "(-d in '-Wd' is --dependency)")]
    [InlineData("-zJx", "(-J in '-zJx' is --job-name)")]   // an unknown letter is passed over, as getopt does
    // A value word that starts with '-' is checked as an option too.
    [InlineData("--hold -J evil", "'--hold -J evil' is set by ablate itself")]
    [InlineData("--hold --job-nam=evil", "can abbreviate --job-name")]
    [InlineData("--comment -vJx", "(-J in '-vJx' is --job-name)")]
    [InlineData("mem=4G", "is not an sbatch option")]
    [InlineData(" --mem=4G", "is not an sbatch option")]
    [InlineData("-", "is not an sbatch option")]
    [InlineData("--", "is not an sbatch option")]
    [InlineData("-- --mem=4G", "is not an sbatch option")]
    [InlineData("--=x", "is not an sbatch option")]
    [InlineData("--comment=a\n--job-name=evil", "holds a newline, which an #SBATCH line cannot carry")]
    [InlineData("--comment=a\tb", "holds a tab")]
    public void Sbatch_args_that_would_set_an_option_ablate_sets_are_refused(string arg, string message)
    {
        var e = Assert.Throws<ConfigException>(() => new SlurmOptions { SbatchArgs = new[] { arg } }.Check());
        Assert.StartsWith("--sbatch-arg: ", e.Message);
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("--mem=4G")]
    [InlineData("--account=lab")]
    [InlineData("--qos high")]
    [InlineData("-A lab")]
    [InlineData("-Alab")]
    [InlineData("-AJ")]               // -A takes "J" as its account
    [InlineData("-vA J")]
    [InlineData("-kJ")]               // -k takes an optional argument: the rest of the cluster
    [InlineData("-x node1")]
    [InlineData("--gpus=2")]          // its own option, though a prefix of --gpus-per-task: getopt takes it exactly
    [InlineData("--gpus 2")]
    [InlineData("--gpus-per-node=2")]
    [InlineData("--time-min=10")]     // not a prefix of --time
    [InlineData("--time-m=10")]
    [InlineData("--cpus-per-gpu=2")]
    [InlineData("--cpus-per-g=2")]
    [InlineData("--exclusive")]
    [InlineData("--hold")]
    [InlineData("--nice -5")]
    [InlineData("--comment=a --job-name=evil")]   // one word: a comment
    [InlineData("--comment a --job-name=evil")]   // two words: --comment and its value
    [InlineData("--mail-user=a.b@c.d")]
    public void Other_sbatch_args_pass(string arg) =>
        new SlurmOptions { SbatchArgs = new[] { arg }, Time = "1-00:00:00" }.Check();

    [Theory]
    [InlineData("--mem=4G", new[] { "--mem=4G" }, "#SBATCH --mem=4G")]
    [InlineData("--qos high", new[] { "--qos", "high" }, "#SBATCH --qos high")]
    [InlineData("--qos   high", new[] { "--qos", "high" }, "#SBATCH --qos high")]
    [InlineData("--hold ", new[] { "--hold" }, "#SBATCH --hold")]
    [InlineData("-A lab x", new[] { "-A", "lab x" }, "#SBATCH -A \"lab x\"")]
    [InlineData("--comment=a --job=b", new[] { "--comment=a --job=b" }, "#SBATCH \"--comment=a --job=b\"")]
    [InlineData("--comment a #b", new[] { "--comment", "a #b" }, "#SBATCH --comment \"a #b\"")]
    [InlineData("--comment hetjob", new[] { "--comment", "hetjob" }, "#SBATCH --comment \"hetjob\"")]
    [InlineData("--comment=\"x\"", new[] { "--comment=\"x\"" }, "#SBATCH \"--comment=\\\"x\\\"\"")]
    public void An_sbatch_arg_stands_for_one_or_two_words_written_so_sbatch_reads_them_back(string arg, string[] words,
        string directive)
    {
        var parsed = SbatchArgument.Parse(arg);
        Assert.Equal(words, parsed.Words);
        Assert.Equal(directive, parsed.Directive);
        Assert.Equal(words, SbatchReader.Words(parsed.Directive));
    }

    [Theory]
    [InlineData("--partition", "gpu\nq", "--partition: the partition $'gpu\\nq' holds a newline")]
    [InlineData("--partition", "", "--partition: the partition '' is empty")]
    [InlineData("--time", "1\n0", "--time: the time limit $'1\\n0' holds a newline")]
    public void A_partition_or_time_no_directive_can_carry_is_refused(string option, string value, string message)
    {
        var options = option == "--time" ? new SlurmOptions { Time = value } : new SlurmOptions { Partition = value };
        Assert.StartsWith(message, Assert.Throws<ConfigException>(options.Check).Message);
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
