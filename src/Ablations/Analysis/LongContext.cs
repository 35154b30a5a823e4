namespace Ablations.Analysis;

/// <summary>
/// The long context at which KV caches are compared (report, claims, `ablate inspect`): one sequence this long,
/// where windowed layers are capped, is the memory that decides deployment.
/// </summary>
public static class LongContext
{
    public const long Tokens = 32_768;

    /// <summary>"32k", for sentences.</summary>
    public static string Label => $"{Tokens / 1024}k";
}
