using System.CommandLine;
using Mesh.Bench.Commands;

var root = new RootCommand("Mesh benchmarks. Each one runs against a Redis you name, or its own dev Kafka broker, and stops by itself.")
{
    LocksCommand.Create(),
    QuotasCommand.Create(),
    EventsCommand.Create(),
    IdentityCommand.Create(),
    RedisMemoryCommand.Create(),
    SagaCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
