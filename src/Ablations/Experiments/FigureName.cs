namespace Ablations.Experiments;

/// <summary>
/// The figures an experiment can have drawn, named as in its report_figures; the drawings themselves live in
/// Reporting, this is only the vocabulary of the experiment file (so a misspelt figure fails at load).
/// </summary>
public enum FigureName { LossTrain, LossVal, GradNorm, MaxAttnLogit, LrSensitivity, MaxAttnLogitVsLr, KvCache }
