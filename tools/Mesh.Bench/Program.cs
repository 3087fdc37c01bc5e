using System.CommandLine;
using Mesh.Bench.Commands;

var root = new RootCommand("Mesh benchmarks. Each one runs against a Redis you name and stops by itself.")
{
    LocksCommand.Create(),
    QuotasCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
