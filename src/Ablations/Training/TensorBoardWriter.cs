using static TorchSharp.torch.utils.tensorboard;

namespace Ablations.Training;

/// <summary>TensorBoard event files beside metrics.csv (TorchSharp's SummaryWriter), so `tensorboard --logdir results` works.</summary>
public sealed class TensorBoardWriter : IDisposable, ITrainingCallback
{
    readonly TorchSharp.Modules.SummaryWriter _writer;

    public TensorBoardWriter(string folder)
    {
        Directory.CreateDirectory(folder);
        _writer = SummaryWriter(folder, createRunName: false);
    }

    public MetricsRow OnStep(MetricsRow row, TrainerState state)
    {
        Write(row);
        return row;
    }

    public void Write(MetricsRow row)
    {
        void Add(string tag, double? value)
        {
            if (value is double v && double.IsFinite(v)) _writer.add_scalar(tag, (float)v, row.Step);
        }
        Add("train/loss", row.TrainLoss);
        Add("train/lr", row.Lr);
        Add("train/grad_norm", row.GradNorm);
        Add("train/max_attn_logit", row.MaxAttnLogit);
        Add("train/moe_aux_loss", row.MoeAuxLoss);
        Add("train/expert_load_max", row.ExpertLoadMax);
        Add("train/tokens_per_s", row.TokensPerSecond);
        Add("val/loss", row.ValLoss);
        Add("val/ppl", row.ValPerplexity);
        Add("val/bpb", row.ValBitsPerByte);
        Add("val/accuracy", row.ValAccuracy);
    }

    public void Dispose() { }
}
