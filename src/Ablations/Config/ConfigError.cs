namespace Ablations.Config;

/// <summary>One validation failure: the key path relative to the record that found it, and what is wrong.</summary>
public sealed record ConfigError(string Key, string Message);
