using System.Diagnostics;

namespace Ablations.Experiments;

/// <summary>Starts one run as a separate process (for --jobs N): `ablate train CONFIG --out FOLDER --threads T`.</summary>
public interface IRunLauncher
{
    /// <param name="configFile">The run's resolved config.yaml, already written in its folder.</param>
    /// <param name="logFile">Where the child's output goes.</param>
    Process Start(string configFile, string runFolder, int threads, string logFile);
}
