namespace Ablations.Config;

/// <summary>Published figures for a preset architecture, so `ablate inspect` can compare its count with the paper's.</summary>
public sealed record ReferenceConfig
{
    public string Name { get; init; } = "";
    public double? ParametersTotal { get; init; }
    public double? ParametersActive { get; init; }
    public string Source { get; init; } = "";
    /// <summary>What the count covers and what it leaves out (vision tower, MTP module, ...).</summary>
    public string Note { get; init; } = "";
}
