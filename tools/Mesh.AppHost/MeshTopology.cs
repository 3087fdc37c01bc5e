using System.Reflection;
using Mesh.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mesh.AppHost;

/// <summary>
/// The components of the local mesh and how they depend on one another: Redis first, then the
/// sidecar and the gateway beside the dev broker, then the three services once the broker has an
/// address (Redis and Kafka are started here unless the user brings their own). The gateway does
/// not wait for the services: it answers UNAVAILABLE until they serve, as in a cluster. Each
/// component is healthy when its grpc.health.v1 service says SERVING.
/// </summary>
internal sealed class MeshTopology(IDistributedApplicationBuilder builder, LocalMesh mesh, LocalSecrets secrets)
{
    private readonly List<IResource> _components = [];

    /// <summary>What this host starts, in declaration order (not the dashboard's helper resources).</summary>
    public IReadOnlyList<IResource> Components => _components;

    /// <summary>Mutual TLS as the operator: what the health checks present to the internal services.</summary>
    private IReadOnlyDictionary<string, string> Operator => secrets.IdentityFor(Workloads.Operator);

    /// <summary>redis-server in memory with an ACL user per service; null when Redis__Configuration names another Redis.</summary>
    public IResourceBuilder<ExecutableResource>? AddRedis()
    {
        if (mesh.ExternalRedis is not null)
        {
            return null;
        }

        var directory = Path.Combine(mesh.StateDirectory, "redis");
        Directory.CreateDirectory(directory);
        AddCheck("redis-ready", new RedisPing(mesh.RedisAddress, RedisAccess.Admin, secrets.RedisPasswordFile(RedisAccess.Admin)));
        return Track(builder.AddExecutable(
                "redis", "redis-server", directory,
                "--bind", LocalMesh.Host, "--port", mesh.RedisPort.ToString(), "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--protected-mode", "yes", "--aclfile", secrets.RedisAclFile,
                "--maxmemory", mesh.RedisMaxMemory, "--maxmemory-policy", "noeviction")
            .WithHealthCheck("redis-ready"));
    }

    /// <summary>The dev broker (librdkafka's in-memory mock cluster); null when KAFKA_BOOTSTRAP_SERVERS names a Kafka.</summary>
    public IResourceBuilder<ExecutableResource>? AddKafka()
    {
        if (mesh.ExternalKafka is not null)
        {
            return null;
        }

        AddCheck("kafka-ready", new BootstrapFileCheck(mesh.KafkaBootstrapFile));
        return Track(Built<Projects.Mesh_DevBroker>("kafka")
            .WithArgs("--bootstrap-file", mesh.KafkaBootstrapFile)
            .WithHealthCheck("kafka-ready"));
    }

    /// <summary>One of the event-driven services, on mutual TLS, as its own Redis user.</summary>
    public IResourceBuilder<ExecutableResource> AddService<TProject>(
        string name, int port, IResourceBuilder<ExecutableResource>? redis, IResourceBuilder<ExecutableResource>? kafka)
        where TProject : IProjectMetadata, new()
    {
        var service = Component<TProject>(name, LocalMesh.Https(port), redis)
            .WithEnvironment(context =>
            {
                var bootstrap = mesh.ExternalKafka ?? KafkaBootstrap()
                    ?? throw new InvalidOperationException("The dev broker has no bootstrap address.");
                context.EnvironmentVariables["Kafka__BootstrapServers"] = bootstrap;
                context.EnvironmentVariables["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap;
            });
        foreach (var (key, value) in secrets.IdentityFor(name))
        {
            service.WithEnvironment(key, value);
        }

        return kafka is null ? service : service.WaitFor(kafka);
    }

    /// <summary>The coordination sidecar (locks, rate limits, Envoy RLS, Dapr's lock API) with the development app token.</summary>
    public IResourceBuilder<ExecutableResource> AddSidecar(IResourceBuilder<ExecutableResource>? redis) =>
        Component<Projects.Mesh_Sidecar>(Workloads.Sidecar, LocalMesh.Http(mesh.SidecarPort), redis)
            .WithEnvironment($"Sidecar__Apps__{LocalSecrets.SidecarApp}__TokenSha256", () => secrets.SidecarTokenSha256)
            .WithEnvironment("DAPR_GRPC_PORT", mesh.DaprGrpcPort.ToString())
            .WithEnvironment("DAPR_HTTP_PORT", mesh.DaprHttpPort.ToString());

    /// <summary>The public gRPC API (h2c on loopback).</summary>
    public IResourceBuilder<ExecutableResource> AddGateway(IResourceBuilder<ExecutableResource>? redis)
    {
        var gateway = Component<Projects.Mesh_Gateway>(Workloads.Gateway, LocalMesh.Http(mesh.GatewayPort), redis)
            .WithEnvironment("Services__Users", LocalMesh.Https(mesh.UsersPort))
            .WithEnvironment("Services__Orders", LocalMesh.Https(mesh.OrdersPort))
            .WithEnvironment("Services__Notifications", LocalMesh.Https(mesh.NotificationsPort));
        foreach (var (key, value) in secrets.IdentityFor(Workloads.Gateway))
        {
            gateway.WithEnvironment(key, value);
        }

        return gateway;
    }

    /// <summary>Once every component serves: .mesh/endpoints.json says where everything listens, and the console says it too.</summary>
    public void AnnounceEndpoints()
    {
        var endpoints = new EndpointsFile(mesh, mesh.ExternalKafka ?? KafkaBootstrap() ?? "");
        endpoints.Write();
        endpoints.Print(Console.Out);
    }

    /// <summary>
    /// A .NET component at a fixed loopback address, healthy when its gRPC health service serves,
    /// as its own Redis ACL user when Redis is ours.
    /// </summary>
    private IResourceBuilder<ExecutableResource> Component<TProject>(string name, string url, IResourceBuilder<ExecutableResource>? redis)
        where TProject : IProjectMetadata, new()
    {
        var address = new Uri(url);
        AddCheck($"{name}-serving", new GrpcHealthCheck(address, Operator));
        var component = Track(Built<TProject>(name).WithOtlpExporter())
            .WithEndpoint(address.Scheme, endpoint =>
            {
                endpoint.Port = address.Port;
                endpoint.TargetPort = address.Port;
                endpoint.UriScheme = address.Scheme;
                endpoint.IsProxied = false;
                endpoint.Transport = "http2";
            })
            // `Urls` (not ASPNETCORE_URLS): appsettings.json sets it, and unprefixed variables come after it.
            .WithEnvironment("Urls", url)
            .WithEnvironment(RuntimeSettings.Gen0BudgetVariable, RuntimeSettings.Gen0BudgetForComponents())
            .WithEnvironment("Redis__Configuration", mesh.RedisAddress)
            .WithEnvironment(context =>
            {
                // Behind no proxy: a client must not choose its own address (and quota bucket) with X-Forwarded-For.
                context.EnvironmentVariables.Remove("ASPNETCORE_FORWARDEDHEADERS_ENABLED");
                if (mesh.ExternalKafka is null)
                {
                    // appsettings.Development.json of each service tunes its Kafka client for the mock cluster.
                    context.EnvironmentVariables["ASPNETCORE_ENVIRONMENT"] = "Development";
                }
            })
            .WithHealthCheck($"{name}-serving");
        if (mesh.ExternalOtlp is not null)
        {
            component.WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", mesh.ExternalOtlp);
        }

        if (redis is null)
        {
            return component;
        }

        return component
            .WithEnvironment("Redis__User", name)
            .WithEnvironment("Redis__PasswordFile", secrets.RedisPasswordFile(name))
            .WaitFor(redis);
    }

    /// <summary>
    /// A project's build output, started as it is: <c>dotnet run</c>, which is how Aspire starts a
    /// project, evaluates the project with MSBuild first, seconds of CPU per component on a
    /// two-core machine. <c>./mesh.sh up</c> builds every component (the AppHost references them)
    /// in the AppHost's own configuration.
    /// </summary>
    private IResourceBuilder<ExecutableResource> Built<TProject>(string name)
        where TProject : IProjectMetadata, new()
    {
        var project = new TProject().ProjectPath;
        var directory = Path.GetDirectoryName(project)!;
        var executable = Path.Combine(directory, "bin", BuildConfiguration, TargetFramework, Path.GetFileNameWithoutExtension(project));
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"{name} is not built: {executable} is missing (./mesh.sh up builds it).", executable);
        }

        return builder.AddExecutable(name, executable, directory);
    }

    private static string BuildConfiguration =>
        typeof(MeshTopology).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static string TargetFramework => $"net{Environment.Version.Major}.{Environment.Version.Minor}";

    private IResourceBuilder<T> Track<T>(IResourceBuilder<T> component)
        where T : IResource
    {
        _components.Add(component.Resource);
        return component;
    }

    private void AddCheck(string name, IHealthCheck check) =>
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(name, new PatientHealthCheck(check), failureStatus: null, tags: null));

    private string? KafkaBootstrap() => BootstrapFileCheck.Read(mesh.KafkaBootstrapFile);
}
