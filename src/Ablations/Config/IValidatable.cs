namespace Ablations.Config;

/// <summary>A configuration record that checks its own consistency once, at load time.</summary>
public interface IValidatable
{
    /// <summary>Errors with keys relative to this record (snake_case, dotted for nested keys).</summary>
    IEnumerable<ConfigError> Validate();
}
