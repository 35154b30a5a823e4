using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ablations.Common;

/// <summary>
/// libtorch's CPU matrix products go through Intel oneMKL, linked into libtorch_cpu. By default MKL may change the
/// number of threads a product uses from call to call (MKL_DYNAMIC) and pick code paths by memory alignment, and
/// either changes the order of the sums, so two runs of one configuration can differ in the last bits. Before
/// libtorch first runs, this turns dynamic threading off and asks for conditional numerical reproducibility in
/// AUTO mode (the fastest code path of this processor, always the same), unless the user set them already. The
/// native environment is set through libc, since .NET keeps its own copy of environment variables on Unix.
/// </summary>
public static class NativeReproducibility
{
    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetNativeEnvironment(string name, string value, int overwrite);

    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["MKL_DYNAMIC"] = "FALSE",
        ["MKL_CBWR"] = "AUTO",
    };

    /// <summary>Runs once, when the library is loaded; setting an existing variable is left to the user's value.</summary>
#pragma warning disable CA2255 // a module initializer is the one hook that runs before the first libtorch call
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Apply()
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var (name, value) in Settings)
        {
            if (Environment.GetEnvironmentVariable(name) != null) continue;
            try { SetNativeEnvironment(name, value, overwrite: 0); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return; }
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    /// <summary>The values in force for this process, for `ablate doctor`.</summary>
    public static string Describe() => string.Join(", ", Settings.Keys.Select(k => $"{k}={Environment.GetEnvironmentVariable(k) ?? "unset"}"));
}
