using System.CommandLine;
using Ablations.Cli;
using Ablations.Cli.Commands;

Ablations.Common.NativeReproducibility.Apply();   // before libtorch first runs (also done when the library loads)
var root = new RootCommand("ablate: train small decoder-only language models from swappable components and replay architecture ablations")
{
    InspectCommand.Create(),
    DoctorCommand.Create(),
    DataCommand.Create(),
    TrainCommand.Create(),
    GenerateCommand.Create(),
    RunCommand.Create(),
    StatusCommand.Create(),
    BenchCommand.Create(),
};
foreach (var c in ReportCommand.Create()) root.Subcommands.Add(c);
return CliRunner.Run(root, args);
