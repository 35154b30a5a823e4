using Ablations.Config;
using static TorchSharp.torch;

namespace Ablations.Training;

/// <summary>`device: auto | cpu | cuda`: auto takes CUDA when libtorch sees a GPU.</summary>
public static class DeviceSelector
{
    public static Device Select(DeviceChoice choice) => choice switch
    {
        DeviceChoice.Cpu => CPU,
        DeviceChoice.Cuda when cuda.is_available() => CUDA,
        DeviceChoice.Cuda => throw new ConfigException(
            "no CUDA device is visible to libtorch; this build uses TorchSharp-cpu unless built with -p:TorchBackend=cuda; allowed here: auto | cpu",
            key: "train.device"),
        _ => cuda.is_available() ? CUDA : CPU,
    };
}
