using System.Diagnostics;
using Ablations.Cluster;

namespace Ablations.Tests.Cluster;

/// <summary>
/// The array script read and run by bash outside Slurm, with a stand-in trainer and a stand-in scontrol that record
/// what they were asked: it trains its task's run folder, and turns Slurm's warning before the time limit into a
/// checkpoint (SIGTERM to the trainer) and a requeue of exactly its own task. Its experiment folder holds quotes,
/// `$(...)`, backticks, '#' and '%', and its working folder a newline too: the script reads each back whole and runs
/// none of it.
/// </summary>
public class SlurmArrayScriptTests
{
    readonly string _dir = TinyRuns.TempFolder("slurm-script-");

    string Experiment => Path.Combine(_dir, "results", "exp 'one' \"two\" $(touch marker) `touch marker` #1 %A é");
    string Work => Path.Combine(_dir, "work\n$(touch marker)\n#");
    string Record => Path.Combine(_dir, "record.txt");

    /// <summary>Writes the script for tasks 0-1 of two runs, a trainer that waits for SIGTERM (exit 130 as ablate's) and an scontrol that records its arguments.</summary>
    string Setup(SlurmOptions options)
    {
        Directory.CreateDirectory(Path.Combine(Experiment, "slurm"));
        Directory.CreateDirectory(Work);
        File.WriteAllText(Path.Combine(Experiment, "slurm", "tasks.txt"), "pre/seed-0\npost/lr=0.01/seed-1\n");
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        Executable(Path.Combine(bin, "trainer"), $$"""
            #!/bin/bash
            echo "args: $*" >> '{{Record}}'
            echo "parent watch: ${ABLATIONS_PARENT_PID:-unset}" >> '{{Record}}'
            echo "cwd: $PWD" >> '{{Record}}'
            trap 'echo "trainer: SIGTERM, checkpoint saved" >> "{{Record}}"; exit 130' TERM
            echo started >> '{{Record}}'
            while true; do sleep 0.05; done
            """);
        Executable(Path.Combine(bin, "scontrol"), $$"""
            #!/bin/bash
            echo "scontrol $*" >> '{{Record}}'
            """);
        var script = Path.Combine(Experiment, "slurm", "array.sh");
        var trainer = new[] { Path.Combine(bin, "trainer") };
        File.WriteAllText(script, SlurmArrayScript.Write(Experiment, "ablate-exp-abc123", new[] { 0, 1 }, options, Work,
            trainer));
        return script;
    }

    /// <summary>The words the directives start with: job, log ('%' doubled), start in slurm/, CPUs.</summary>
    IEnumerable<string> FirstWords(string log, int cpus) => new[]
    {
        "--job-name=ablate-exp-abc123", $"--output={Experiment.Replace("%", "%%")}/slurm/logs/{log}",
        "--open-mode=append", $"--chdir={Experiment}/slurm", $"--cpus-per-task={cpus}",
    };

    static void Executable(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    Process Start(string script, int task)
    {
        // Started elsewhere, as Slurm starts it in its --chdir: the script enters the working folder itself.
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Experiment,
        };
        start.ArgumentList.Add(script);
        start.Environment["PATH"] = Path.Combine(_dir, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["SLURM_ARRAY_JOB_ID"] = "77";
        start.Environment["SLURM_ARRAY_TASK_ID"] = task.ToString();
        start.Environment["ABLATIONS_PARENT_PID"] = "1";   // as if the submitting shell had it: the script must drop it
        return Process.Start(start)!;
    }

    void Signal(Process process, string signal)
    {
        var watch = Stopwatch.StartNew();
        while (!(File.Exists(Record) && File.ReadAllText(Record).Contains("started")) && watch.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(20);
        if (process.HasExited) Assert.Fail($"the script ended before its signal: {process.StandardError.ReadToEnd()}");
        Process.Start("kill", $"-{signal} {process.Id}")!.WaitForExit();
        Assert.True(process.WaitForExit(20_000), "the script did not end after its signal");
    }

    [Fact]
    public void The_warning_signal_checkpoints_the_trainer_and_requeues_its_own_task()
    {
        var script = Setup(new SlurmOptions { CpusPerTask = 3, Time = "02:00:00", ArrayParallelism = 4, SbatchArgs = new[] { "--mem=2G" } });
        var text = File.ReadAllText(script);
        Assert.Equal(FirstWords("%A_%a.out", 3).Concat(new[]
            {
                "--time=02:00:00", "--array=0-1%4", "--requeue", "--signal=B:USR1@300", "--mem=2G",
            }), SbatchReader.Words(text));

        using var process = Start(script, 1);
        Signal(process, "USR1");
        var record = File.ReadAllText(Record);
        var run = Path.Combine(Experiment, "post", "lr=0.01", "seed-1");
        Assert.Contains($"args: train {run}/config.yaml --out {run} --threads 3 --log {run}/train.log\n", record);
        Assert.Contains("parent watch: unset", record);
        Assert.Contains($"cwd: {Work}\n", record);
        Assert.Empty(Directory.GetFiles(_dir, "marker", SearchOption.AllDirectories));
        Assert.Contains("trainer: SIGTERM, checkpoint saved\nscontrol requeue 77_1\n", record);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public void A_cancelled_task_checkpoints_and_is_not_requeued()
    {
        using var process = Start(Setup(new SlurmOptions()), 0);
        Signal(process, "TERM");
        var record = File.ReadAllText(Record);
        Assert.Contains($"--out {Path.Combine(Experiment, "pre", "seed-0")} --threads 1 ", record);
        Assert.Contains("trainer: SIGTERM, checkpoint saved", record);
        Assert.DoesNotContain("scontrol", record);
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("ended with exit code 130", process.StandardOutput.ReadToEnd());
    }

    [Fact]
    public void A_task_without_a_line_in_the_task_list_says_so()
    {
        using var process = Start(Setup(new SlurmOptions()), 5);
        Assert.True(process.WaitForExit(20_000));
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("has no line 6 for task 5", process.StandardError.ReadToEnd());
    }

    [Fact]
    public void Every_directive_reads_back_as_sbatch_reads_it_with_the_user_s_options_last_and_no_folder_in_a_comment()
    {
        var options = new SlurmOptions
        {
            CpusPerTask = 2, Partition = "p 'q'", Time = "10", GpusPerTask = 1,
            SbatchArgs = new[] { "--comment=a --job-name=evil #x", "--qos high", "-A lab" },
        };
        var text = File.ReadAllText(Setup(options));
        var user = new[] { "--comment=a --job-name=evil #x", "--qos", "high", "-A", "lab" };
        Assert.Equal(FirstWords("%A_%a.out", 2).Concat(new[]
            {
                "--partition=p 'q'", "--time=10", "--array=0-1", "--gpus-per-task=1", "--requeue", "--signal=B:USR1@60",
            }).Concat(user), SbatchReader.Words(text));
        Assert.All(text.Split('\n').Where(l => l.StartsWith("# ")), l => Assert.DoesNotContain("exp 'one'", l));

        var next = SlurmFollowUpScript.Write(Experiment, "ablate-exp-abc123", options, Work,
            new[] { "/opt/ablate", "run", "--set", "a=$(b)" });
        Assert.Equal(FirstWords("next-%j.out", 1).Concat(new[] { "--partition=p 'q'", "--time=10" }).Concat(user),
            SbatchReader.Words(next));
        Assert.EndsWith($"cd -- {Shell.Quote(Work)} || exit 2\nexec /opt/ablate run --set 'a=$(b)'\n", next);
    }
}
