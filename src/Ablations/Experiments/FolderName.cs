namespace Ablations.Experiments;

/// <summary>
/// Names that become one folder under results/ (experiments, variants, scales): a single plain path segment,
/// so that no name can write outside the results folder or into a hidden one.
/// </summary>
public static class FolderName
{
    /// <summary>Why <paramref name="name"/> cannot name a folder, or null when it can.</summary>
    public static string? Problem(string name) =>
        name.Length > 0 && name[0] != '.' && name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : $"'{name}' cannot name a folder; use letters, digits, '-', '_' and '.' (not first)";
}
