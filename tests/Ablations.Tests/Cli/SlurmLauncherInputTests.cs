using Ablations.Tests.Experiments;

namespace Ablations.Tests.Cli;

/// <summary>
/// `ablate run --launcher slurm` and `ablate status` refuse bad input with one line and exit 2 before asking Slurm
/// anything, so these run where no cluster is (a PATH without sbatch stands for a machine without Slurm).
/// </summary>
public class SlurmLauncherInputTests
{
    readonly string _dir = TinyRuns.TempFolder("slurm-input-");

    Repo.Result Run(params string[] args) =>
        Repo.AblateIn(_dir, new[] { "run", TinyExperiment.Write(_dir), "--scale", "smoke", "--results", Path.Combine(_dir, "r") }.Concat(args).ToArray());

    [Fact]
    public void Without_sbatch_on_path_the_submission_is_refused_naming_it()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty-bin")).FullName;
        var r = Repo.AblateWith(_dir, new Dictionary<string, string?> { ["PATH"] = empty }, TimeSpan.FromMinutes(2),
            "run", TinyExperiment.Write(_dir), "--scale", "smoke", "--results", Path.Combine(_dir, "r"), "--launcher", "slurm");
        BadInput.Line(r, "--launcher: no sbatch on PATH");
        Assert.False(Directory.Exists(Path.Combine(_dir, "r")), "nothing is written before the refusal");
    }

    [Theory]
    [InlineData("--time", "2h", "--time: '2h' is not a Slurm time limit")]
    [InlineData("--sbatch-arg=--array=0-3", null, "--sbatch-arg: '--array=0-3' is set by ablate itself")]
    [InlineData("--sbatch-arg", "mem=4G", "is not an sbatch option")]
    [InlineData("--cpus-per-task", "0", "--cpus-per-task must be at least 1")]
    public void Bad_slurm_options_are_refused_before_slurm_is_asked(string option, string? value, string message) =>
        BadInput.Line(Run(new[] { "--launcher", "slurm", option }.Concat(value != null ? new[] { value } : Array.Empty<string>()).ToArray()), message);

    [Theory]
    [InlineData("r\ntouch marker\n#", "holds a newline, which an #SBATCH line cannot carry")]
    [InlineData("r\\s", "holds a backslash, which turns off Slurm's %A and %a in a log path (sbatch --output)")]
    public void A_results_folder_no_sbatch_directive_can_name_is_refused_before_anything_is_written(string name,
        string message)
    {
        var results = Path.Combine(_dir, name);
        var r = Repo.AblateIn(_dir, "run", TinyExperiment.Write(_dir), "--scale", "smoke", "--results", results,
            "--launcher", "slurm");
        BadInput.Line(r, "--results: the results folder ", message);
        Assert.False(Directory.Exists(results));
        Assert.False(File.Exists(Path.Combine(_dir, "marker")));
    }

    [Theory]
    [InlineData("--partition", "gpu")]
    [InlineData("--wait", null)]
    [InlineData("--array-parallelism", "2")]
    public void Slurm_options_without_the_slurm_launcher_are_refused(string option, string? value) =>
        BadInput.Line(Run(value != null ? new[] { option, value } : new[] { option }), $"{option}: only applies with --launcher slurm");

    [Fact]
    public void Jobs_is_refused_with_the_slurm_launcher()
    {
        BadInput.Line(Run("--launcher", "slurm", "--jobs", "2"), "--jobs: is for the local launcher");
        BadInput.Line(Run("--launcher", "kubernetes"), "--launcher: 'kubernetes' is not allowed; allowed: local | slurm");
    }

    [Fact]
    public void Status_reads_a_local_experiment_from_its_run_folders_and_refuses_a_folder_never_run()
    {
        var ran = Run("--no-report");
        Assert.True(ran.ExitCode == 0, ran.Stderr);
        var status = Repo.AblateIn(_dir, "status", Path.Combine(_dir, "tiny-exp.yaml"), "--scale", "smoke", "--results", Path.Combine(_dir, "r"));
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains("4 runs: 4 done", status.Stdout);
        Assert.Matches(@"post/seed-1 +done +6/6 steps, val loss \d\.\d{4}", status.Stdout);
        BadInput.Line(Repo.AblateIn(_dir, "status", _dir), "experiment.json here: the experiment has not been run");
    }
}
