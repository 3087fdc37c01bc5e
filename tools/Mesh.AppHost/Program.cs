using Mesh.AppHost;

// The local mesh, declared once: what runs, in which order, on which ports, with which settings.
// ./mesh.sh up builds the solution and runs this; Ctrl-C (or SIGTERM) stops every component.
var mesh = LocalMesh.ForRepository();
if (mesh.PortGivenTwice() is var (first, second, shared))
{
    await Console.Error.WriteLineAsync($"mesh: port {shared} is given to both {first} and {second} (MESH_*_PORT): give each its own");
    return 1;
}

if (mesh.PortInUse() is var (component, port))
{
    await Console.Error.WriteLineAsync($"mesh: port {port} ({component}) is in use: is another ./mesh.sh up running? (MESH_*_PORT moves it)");
    return 1;
}

var secrets = new LocalSecrets(mesh);
Directory.CreateDirectory(mesh.LogDirectory);
File.Delete(mesh.EndpointsFile);
File.Delete(mesh.KafkaBootstrapFile);
secrets.Create();

var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
{
    // Plain http on loopback: the dashboard needs no developer certificate and no login.
    Args = [.. args, $"ASPNETCORE_URLS={mesh.DashboardUrl}", $"ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL={mesh.OtlpUrl}",
        "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true", "ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true"],
    DisableDashboard = mesh.ExternalOtlp is not null,
});
var topology = new MeshTopology(builder, mesh, secrets);
var redis = topology.AddRedis();
var kafka = topology.AddKafka();
topology.AddService<Projects.Mesh_Users>("users", mesh.UsersPort, redis, kafka);
topology.AddService<Projects.Mesh_Orders>("orders", mesh.OrdersPort, redis, kafka);
topology.AddService<Projects.Mesh_Notifications>("notifications", mesh.NotificationsPort, redis, kafka);
topology.AddSidecar(redis);
topology.AddGateway(redis);
ConsoleLogFiles.WriteTo(builder, mesh.LogDirectory);
var watch = new StartupWatch(topology.Components, mesh.StartTimeout, mesh.LogDirectory, topology.AnnounceEndpoints);
watch.Register(builder);

await using var app = builder.Build();
try
{
    await app.RunAsync();
}
finally
{
    File.Delete(mesh.EndpointsFile);
    File.Delete(mesh.KafkaBootstrapFile);
    secrets.Delete();
    Console.WriteLine("mesh: stopped");
}

return watch.ExitCode;
