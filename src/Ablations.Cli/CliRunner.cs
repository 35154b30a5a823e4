using System.CommandLine;
using Ablations.Config;
using Ablations.Data;
using Ablations.Training;

namespace Ablations.Cli;

/// <summary>Exit codes and error reporting shared by every command: a clear message on stderr, never a stack trace.</summary>
public static class CliRunner
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    /// <summary>Another process holds the experiment or run folder.</summary>
    public const int Busy = 3;
    public const int Interrupted = 130;

    /// <summary>errno values .NET carries in an IOException's HResult on Unix: EROFS, ENOSPC, EDQUOT.</summary>
    const int ReadOnlyFileSystem = 30, NoSpace = 28, QuotaExceeded = 122;

    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
        {
            // One line, like every other bad input; --help is where the usage lives.
            Console.Error.WriteLine($"error: {string.Join("; ", parsed.Errors.Select(e => e.Message.Trim()))}");
            return BadInput;
        }
        return parsed.Invoke();
    }

    /// <summary>
    /// Runs work on the run file <paramref name="path"/> (null: no file), placing the errors it raises about a key of
    /// that file (unreadable data under data.paths, a model too big for memory) at the --set or the line that wrote
    /// the key, as a load error is.
    /// </summary>
    public static T InRunFile<T>(string? path, IEnumerable<string> overrides, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (DataException e) when (path != null && e.Key != null)
        {
            throw ConfigLoader.ErrorAt<RunConfig>(path, overrides, e.Key, e.Reason);
        }
        catch (ConfigException e) when (path != null && e.File == null && e.Key is { } key && !key.StartsWith('-'))
        {
            throw ConfigLoader.ErrorAt<RunConfig>(path, overrides, key, e.Reason);
        }
    }

    /// <summary>Runs a command body, turning bad input into exit code 2 and anything unexpected into 1.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (DataException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (UnauthorizedAccessException e)
        {
            // A folder that cannot be written (read-only results, another user's files): the message names the path.
            Console.Error.WriteLine($"error: cannot write there: {e.Message}");
            return BadInput;
        }
        catch (IOException e) when (e.HResult is ReadOnlyFileSystem or NoSpace or QuotaExceeded)
        {
            // A folder on a read-only mount, a full disk: the user's situation to change, named in the message.
            Console.Error.WriteLine($"error: cannot write there: {e.Message}");
            return BadInput;
        }
        catch (Cluster.SlurmException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (Common.FolderBusyException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Busy;
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM while a command prepared data: what it wrote was removed, so a rerun starts clean.
            Console.Error.WriteLine("interrupted; run the same command again to continue");
            return Interrupted;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("ABLATE_DEBUG") != "1")
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            Console.Error.WriteLine("(set ABLATE_DEBUG=1 for the stack trace)");
            return Failure;
        }
    }
}
