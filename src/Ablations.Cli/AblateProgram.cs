namespace Ablations.Cli;

/// <summary>How to start this same program again: its executable, and its assembly when that executable is dotnet.</summary>
public static class AblateProgram
{
    /// <summary>The command words that run `ablate` (arguments follow).</summary>
    public static IReadOnlyList<string> Command()
    {
        var executable = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(executable) == "dotnet"
            ? new[] { executable, typeof(AblateProgram).Assembly.Location }
            : new[] { executable };
    }
}
