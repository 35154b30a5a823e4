using Ablations.Config;

namespace Ablations.Cli;

/// <summary>A folder option (--out, --results) checked before any work: a file where a folder is to be is bad input, not a crash.</summary>
public static class OutputFolder
{
    /// <summary>Returns <paramref name="path"/>, or refuses it, naming <paramref name="option"/>, when it or a folder above it is a file.</summary>
    public static string Check(string path, string option)
    {
        for (var p = Path.GetFullPath(path); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p)) return path;
            if (File.Exists(p))
                throw new ConfigException(p == Path.GetFullPath(path)
                    ? $"'{path}' is a file; a folder is expected (a new or an existing one)"
                    : $"'{p}' is a file, so '{path}' cannot be a folder", key: option);
        }
        return path;
    }
}
