using System.CommandLine;
using Mesh.Cli.Commands;

var root = new RootCommand("Mesh developer CLI: health checks, topic map, a scripted demo client and replay.")
{
    HealthCommand.Create(),
    TopicsCommand.Create(),
    DemoCommand.Create(),
    ReplayCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
