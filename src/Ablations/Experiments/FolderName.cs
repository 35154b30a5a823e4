using System.Text;

namespace Ablations.Experiments;

/// <summary>
/// The one rule for every folder name derived from user input (experiment name or file name, variants, scales,
/// sweep and tune labels): a single plain path segment, so that no name can climb out of the results folder, hide
/// itself, or hold a character a shell script or a file system treats specially.
/// </summary>
public static class FolderName
{
    /// <summary>Bytes of a name (UTF-8), below the 255 of common file systems with room for a suffix.</summary>
    public const int MaxBytes = 200;

    /// <summary>Why <paramref name="name"/> cannot name a folder, or null when it can.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0) return "an empty name cannot name a folder";
        if (name[0] == '.' || !name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '=' or ',' or '+'))
            return $"'{Shown(name)}' cannot name a folder; use letters, digits, '-', '_', '.', '=', ',' and '+' ('.' not first)";
        if (Encoding.UTF8.GetByteCount(name) > MaxBytes)
            return $"'{Shown(name[..40])}...' is {Encoding.UTF8.GetByteCount(name)} bytes long; a folder name may have at most {MaxBytes}";
        return null;
    }

    /// <summary>The name with control characters made visible, so an error message stays one line.</summary>
    public static string Shown(string name) =>
        string.Concat(name.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
