namespace Ablations.Common;

/// <summary>Files written under a temporary name and renamed into place, so a killed process never leaves half a file.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        var temp = $"{path}.tmp-{Environment.ProcessId}";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
