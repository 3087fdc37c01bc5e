using System.CommandLine;
using Mesh.DevBroker;

// Signals are handled by ShutdownSignal, so System.CommandLine must not install its own handler.
return await DevBrokerCommand.Create()
    .Parse(args)
    .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
