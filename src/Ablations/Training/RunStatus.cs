namespace Ablations.Training;

/// <summary>How a run ended: it finished its steps, or it diverged (a result to report, not a crash).</summary>
public enum RunStatus { Completed, Diverged }
