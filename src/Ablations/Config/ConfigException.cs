namespace Ablations.Config;

/// <summary>
/// Bad configuration: names where (file, line, column), which key, what is wrong and what is allowed.
/// The command line prints <see cref="Exception.Message"/> and exits with code 2; no stack trace.
/// </summary>
public sealed class ConfigException : Exception
{
    public string? File { get; }
    public int? Line { get; }
    public int? Column { get; }
    public string? Key { get; }
    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    public ConfigException(string message, string? file = null, int? line = null, int? column = null, string? key = null)
        : base(Format(message, file, line, column, key))
    {
        File = file; Line = line; Column = column; Key = key; Reason = message;
    }

    static string Format(string message, string? file, int? line, int? column, string? key)
    {
        var where = file ?? "";
        if (file != null && line != null) where += $":{line}" + (column != null ? $":{column}" : "");
        var prefix = where.Length > 0 ? where + ": " : "";
        return key != null ? $"{prefix}{key}: {message}" : prefix + message;
    }
}
