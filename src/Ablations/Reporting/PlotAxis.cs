namespace Ablations.Reporting;

/// <summary>The x axis of the training curves: optimiser steps or tokens seen.</summary>
public enum PlotAxis { Steps, Tokens }
