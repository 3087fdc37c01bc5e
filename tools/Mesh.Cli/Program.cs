using System.CommandLine;
using Mesh.Cli.Commands;

var root = new RootCommand("Mesh developer CLI: health checks, topic map and a scripted demo client.")
{
    HealthCommand.Create(),
    TopicsCommand.Create(),
    DemoCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
