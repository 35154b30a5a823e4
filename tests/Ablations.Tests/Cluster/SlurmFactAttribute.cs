using System.Runtime.CompilerServices;
using Ablations.Cluster;

namespace Ablations.Tests.Cluster;

/// <summary>
/// A test that needs a Slurm cluster: skipped where no sbatch is on PATH, with the reason in its name too, since
/// `dotnet test` prints skip reasons only at detailed verbosity; under CI=true never skipped (it then fails in
/// <see cref="SlurmCluster.Require"/>), so CI cannot pass by leaving the cluster out.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public const string Reason = "no sbatch on PATH: start a one-node Slurm cluster with tests/cluster/start-slurm.sh (as root) to run the Slurm tests";

    public SlurmFactAttribute([CallerMemberName] string test = "")
    {
        if (SlurmClient.FindSbatch() != null || SlurmCluster.InCi) return;
        Skip = Reason;
        DisplayName = $"{test} (skipped: {Reason})";
    }
}
