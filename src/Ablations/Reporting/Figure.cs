using Ablations.Experiments;

namespace Ablations.Reporting;

/// <summary>
/// One named figure: whether an experiment's results have what it shows, and how to draw it into a folder
/// (returning the names of the files written, one per panel, e.g. loss_val or loss_val_source=recall).
/// </summary>
public sealed record Figure(
    FigureName Name,
    Func<ExperimentResults, bool> AppliesTo,
    Func<ExperimentResults, string, FigureOptions, IReadOnlyList<string>> Draw);
