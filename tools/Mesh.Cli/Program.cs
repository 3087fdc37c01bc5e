using System.CommandLine;
using Mesh.Cli.Commands;
using Mesh.Cli.Infrastructure;

var root = new RootCommand("Mesh developer CLI: health checks, topic map, a scripted demo client, replay, dead letters, and the local mesh's certificates and credentials.")
{
    HealthCommand.Create(),
    TopicsCommand.Create(),
    DemoCommand.Create(),
    ReplayCommand.Create(),
    DlqCommand.Create(),
    CertsCommand.Create(),
    RedisAclCommand.Create(),
    AppTokenCommand.Create(),
};

var parsed = root.Parse(args);
var exitCode = await parsed.InvokeAsync();
// System.CommandLine exits 1 on a command line it cannot parse; scripts tell a usage error by 2.
return parsed.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
