using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Training;

/// <summary>
/// AdamW (Loshchilov and Hutter, arXiv 1711.05101) as TorchSharp computes it, op for op, so results and the
/// checkpoint format (optimizer.bin, written under this class's name "AdamW") are TorchSharp's own; it differs
/// only in holding every scalar it hands to libtorch until the call returns. TorchSharp's step passes temporary
/// <see cref="Scalar"/>s (1 - lr x weight decay, the betas, the step size) whose last managed use is reading their
/// handle, so a garbage collection during the native call may finalise one and libtorch reads freed memory
/// ("Unknown scalar type", a failed toFloat check): seen a few times per test suite under parallel load.
/// </summary>
public sealed class AdamW(IEnumerable<TorchSharp.Modules.AdamW.ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay)
    : TorchSharp.Modules.AdamW(groups, lr, beta1, beta2, eps, weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        var (b1, b2, eps, decay, rate) = (options.beta1!.Value, options.beta2!.Value, options.eps!.Value,
            options.weight_decay!.Value, options.LearningRate!.Value);
        using var beta1 = b1.ToScalar();
        using var beta2 = b2.ToScalar();
        using var oneMinusBeta1 = (1 - b1).ToScalar();
        using var oneMinusBeta2 = (1 - b2).ToScalar();
        using var epsilon = eps.ToScalar();
        using var shrink = (1 - rate * decay).ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            state.step += 1;
            param.mul_(shrink);   // decoupled weight decay (a multiplication by 1 when it is 0, as TorchSharp does)
            var correction1 = 1 - Math.Pow(b1, state.step);
            var correction2 = 1 - Math.Pow(b2, state.step);
            state.exp_avg.mul_(beta1).add_(grad, alpha: oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
            using var root = Math.Sqrt(correction2).ToScalar();
            using var stepSize = (-(rate / correction1)).ToScalar();
            var denominator = state.exp_avg_sq.sqrt().div(root).add_(epsilon);
            param.addcdiv_(state.exp_avg, denominator, value: stepSize);
        }
    }, closure);
}
