using System.CommandLine;
using Ablations.Cli;
using Ablations.Cli.Commands;

var root = new RootCommand("ablate: train small decoder-only language models from swappable components and replay architecture ablations")
{
    InspectCommand.Create(),
    DoctorCommand.Create(),
    DataCommand.Create(),
    TrainCommand.Create(),
    GenerateCommand.Create(),
};
return CliRunner.Run(root, args);
