namespace Ablations.Experiments;

/// <summary>
/// Where a run stands, as its folder says (a scheduler adds what only it knows: queued, failed). Running means a
/// trainer holds the folder's lock now; interrupted, that it trained some steps and stopped before the end.
/// </summary>
public enum RunState { NotStarted, Interrupted, Running, Completed, Diverged }
