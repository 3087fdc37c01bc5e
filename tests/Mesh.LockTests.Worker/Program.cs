using Mesh.LockTests.Worker;

var options = WorkerOptions.Parse(args);
using var shutdown = new CancellationTokenSource(TimeSpan.FromMinutes(2));
return options.Mode switch
{
    "increment" => await IncrementMode.RunAsync(options, shutdown.Token),
    "hold" => await HoldMode.RunAsync(options, shutdown.Token),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Mesh.LockTests.Worker increment|hold --name value ...");
    return 2;
}
