using System.CommandLine;
using Ablations.Config;
using Ablations.Data;

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

    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var e in parsed.Errors) Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("run 'ablate --help' for usage");
            return BadInput;
        }
        return parsed.Invoke();
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
        catch (Common.FolderBusyException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Busy;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("ABLATE_DEBUG") != "1")
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            Console.Error.WriteLine("(set ABLATE_DEBUG=1 for the stack trace)");
            return Failure;
        }
    }
}
