using System.CommandLine;
using Mesh.Cli.Commands;

var root = new RootCommand("Mesh developer CLI: health checks, topic map, a scripted demo client, replay, and the local mesh's certificates and credentials.")
{
    HealthCommand.Create(),
    TopicsCommand.Create(),
    DemoCommand.Create(),
    ReplayCommand.Create(),
    CertsCommand.Create(),
    RedisAclCommand.Create(),
    AppTokenCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
