using Ablations.Native;
using static TorchSharp.torch;

namespace Ablations.Tests.Native;

public class TorchSharpLoadsTests
{
    [Fact]
    public void Torchsharp_loads_and_multiplies_matrices()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var b = tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        using var c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void Native_shim_in_the_build_output_is_weak_exactly_when_the_system_lacks_glibcxx_3_4_32()
    {
        var shim = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(shim), $"expected {shim}");
        var system = ElfVersionNeeds.FindSystemLibStdCxx();
        Assert.NotNull(system);
        var systemHas = ElfVersionNeeds.Defines(system!, "GLIBCXX_3.4.32");
        var flags = ElfVersionNeeds.ReadFlags(shim, "GLIBCXX_3.4.32");
        Assert.NotNull(flags);
        Assert.Equal(!systemHas, (flags!.Value & ElfVersionNeeds.VerFlagWeak) != 0);
    }

    [Fact]
    public void Native_fix_never_touches_the_nuget_cache()
    {
        var cached = PackageCopy();
        Assert.True(File.Exists(cached), $"expected the package's own copy at {cached}");
        Assert.Equal((ushort)0, ElfVersionNeeds.ReadFlags(cached, "GLIBCXX_3.4.32")!.Value & ElfVersionNeeds.VerFlagWeak);
    }

    [Fact]
    public void Marking_weak_is_idempotent_and_changes_only_the_flag()
    {
        var cached = PackageCopy();
        var copy = Path.Combine(Path.GetTempPath(), $"shim-{Guid.NewGuid():N}.so");
        File.Copy(cached, copy);
        try
        {
            var original = File.ReadAllBytes(copy);
            var offsetFlags = ElfVersionNeeds.ReadFlags(copy, "GLIBCXX_3.4.32")!.Value;
            var changed = ElfVersionNeeds.MarkWeak(copy, "GLIBCXX_3.4.32");
            Assert.Equal(0, offsetFlags & ElfVersionNeeds.VerFlagWeak);
            Assert.True(changed);
            Assert.NotEqual(0, ElfVersionNeeds.ReadFlags(copy, "GLIBCXX_3.4.32")!.Value & ElfVersionNeeds.VerFlagWeak);
            Assert.False(ElfVersionNeeds.MarkWeak(copy, "GLIBCXX_3.4.32"));
            var patched = File.ReadAllBytes(copy);
            Assert.Equal(original.Length, patched.Length);
            Assert.Equal(1, original.Zip(patched).Count(p => p.First != p.Second));
            Assert.False(ElfVersionNeeds.MarkWeak(copy, "GLIBCXX_9.9.99"));
        }
        finally { File.Delete(copy); }
    }

    static string PackageCopy()
    {
        var home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }
}
