namespace Ablations.Reporting;

/// <summary>How figures are drawn: their size in pixels, whether an SVG goes beside each PNG, and the curves' axes.</summary>
public sealed record FigureOptions
{
    public int Width { get; init; } = 900;
    public int Height { get; init; } = 560;
    public bool Svg { get; init; } = true;
    public PlotAxis Axis { get; init; } = PlotAxis.Steps;
    public bool LogX { get; init; }
    public bool LogY { get; init; }

    /// <summary>The report's: smaller PNGs and no SVG, to keep the committed files light.</summary>
    public static FigureOptions Report { get; } = new() { Width = 600, Height = 380, Svg = false };
}
