namespace Ablations.Training;

/// <summary>Declares a run diverged when its loss is not finite or rises far above its running minimum.</summary>
public sealed class DivergenceGuard
{
    readonly double _nats;

    public DivergenceGuard(double nats, double minLoss)
    {
        _nats = nats;
        MinLoss = minLoss;
    }

    public double MinLoss { get; private set; }

    /// <summary>Null while healthy, else the reason.</summary>
    public string? Check(double loss)
    {
        if (!double.IsFinite(loss)) return $"training loss is {loss}";
        if (loss > MinLoss + _nats) return $"training loss {loss:F3} is more than {_nats} nats above its minimum {MinLoss:F3}";
        MinLoss = Math.Min(MinLoss, loss);
        return null;
    }
}
