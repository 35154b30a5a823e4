namespace Ablations.Reporting;

/// <summary>What a claim's verdict says, apart from its wording: the report and its tests branch on this, never on text.</summary>
public enum VerdictOutcome { Agrees, Disagrees, Equivalent, CannotTell, OutOfReach, NotRun }
