using Mesh.DeploymentTests.Support;

namespace Mesh.DeploymentTests;

/// <summary>docker-compose.yml runs every runnable, configured for the containers' network.</summary>
public sealed class ComposeFileTests
{
    private static readonly ComposeFile Compose = ComposeFile.Instance;

    public static TheoryData<string> Runnables => new(RunnableCatalog.All.Select(r => r.Name));

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Services_Runnable_IsBuiltFromTheDockerfileWithItsProject(string name)
    {
        var runnable = RunnableCatalog.Named(name);

        Assert.True(Compose.Services.TryGetValue(name, out var service), $"docker-compose.yml has no service '{name}'.");
        Assert.Equal(".", service.Map("build").Text("context"));
        Assert.Equal(Dockerfile.RelativePath, service.Map("build").Text("dockerfile"));
        Assert.Equal(runnable.ProjectDirectory, Compose.BuildArguments(name).GetValueOrDefault("PROJECT"));
        Assert.Equal($"mesh/{name}:dev", service.Text("image"));
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Environment_Runnable_SetsEveryKeyTheDeploymentMustProvide(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        var environment = Compose.EffectiveEnvironment(runnable);

        var missing = ConfigurationKeyPolicy.Required(runnable).Where(k => !ConfigurationKeyPolicy.IsSet(k, environment)).ToList();

        Assert.True(missing.Count == 0,
            $"docker-compose.yml: service '{name}' (with its image's ENV) does not set " +
            string.Join(", ", missing.Select(k => k.Replace(":", "__", StringComparison.Ordinal))) +
            $". Their appsettings.json defaults point at loopback or they have none.");
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Environment_Runnable_SetsOnlyKeysTheCodeReads(string name)
    {
        var runnable = RunnableCatalog.Named(name);

        var unknown = Compose.Environment(name).Keys.Where(k => !ConfigurationKeyPolicy.IsKnown(runnable, k)).ToList();

        Assert.True(unknown.Count == 0,
            $"docker-compose.yml: service '{name}' sets {string.Join(", ", unknown)}, which {runnable.ProjectDirectory}/appsettings.json " +
            "does not have: a typo or a key the code no longer reads.");
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Environment_Addresses_NameComposeServicesAndTheirPorts(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        var environment = Compose.EffectiveEnvironment(runnable);
        var problems = new List<string>();

        foreach (var (variable, value) in environment.Where(e => ConfigurationKeyPolicy.IsAddress(e.Key)))
        {
            var address = Address.Parse(value);
            if (address is null || !Compose.Services.ContainsKey(address.Host))
            {
                problems.Add($"{variable}={value}: '{address?.Host}' is not a compose service");
                continue;
            }

            var target = RunnableCatalog.All.FirstOrDefault(r => r.Name == address.Host);
            var port = target is null ? null : Address.Parse(Compose.EffectiveEnvironment(target).GetValueOrDefault("Urls"))?.Port;
            if (port is not null && port != address.Port)
            {
                problems.Add($"{variable}={value}: {address.Host} listens on {port}");
            }
        }

        Assert.True(problems.Count == 0, $"docker-compose.yml, service '{name}':\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Ports_OnlyTheGatewayAndJaegerUi_ArePublished()
    {
        var published = Compose.Services.Keys.Where(s => Compose.PublishedPorts(s).Count > 0).Order().ToList();

        Assert.Equal(["gateway", "jaeger"], published);
        var jaeger = Assert.Single(Compose.PublishedPorts("jaeger"));
        Assert.StartsWith("127.0.0.1:", jaeger, StringComparison.Ordinal);
        Assert.EndsWith(":16686", jaeger, StringComparison.Ordinal);
        var gatewayPort = Address.Parse(Compose.EffectiveEnvironment(RunnableCatalog.Named("gateway"))["Urls"])!.Port;
        Assert.EndsWith($":{gatewayPort}", Assert.Single(Compose.PublishedPorts("gateway")), StringComparison.Ordinal);
    }

    [Fact]
    public void DependsOn_HealthyConditions_TargetServicesWithAHealthCheck()
    {
        var problems = new List<string>();
        foreach (var service in Compose.Services.Keys)
        {
            foreach (var (target, condition) in Compose.DependsOn(service))
            {
                if (!Compose.Services.ContainsKey(target))
                {
                    problems.Add($"{service} depends on unknown service {target}");
                }
                else if (condition == "service_healthy" && !HasHealthCheck(target))
                {
                    problems.Add($"{service} waits for {target} to be healthy, but {target} has no health check");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void DependsOn_Runnable_WaitsForRedisAndKafkaTopics(string name)
    {
        var dependencies = Compose.DependsOn(name);

        Assert.Equal("service_healthy", dependencies.GetValueOrDefault("redis"));
        Assert.Equal("service_completed_successfully", dependencies.GetValueOrDefault("kafka-topics"));
        Assert.True(HasHealthCheck(name), $"{name} has no health check");
    }

    [Fact]
    public void Redis_Password_ComesFromTheEnvironmentFileOnly()
    {
        var example = File.ReadAllText(Repository.PathOf("deploy/compose.env.example"));
        var compose = File.ReadAllText(Repository.PathOf(ComposeFile.RelativePath));

        Assert.Contains("REDIS_PASSWORD=", example, StringComparison.Ordinal);
        Assert.Contains("${REDIS_PASSWORD:?", compose, StringComparison.Ordinal);
        Assert.DoesNotContain("password=change-me", compose, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(".env", File.ReadAllLines(Repository.PathOf(".gitignore")).Select(l => l.Trim()));
    }

    [Fact]
    public void Redis_AtItsMemoryLimit_RefusesWritesAtALimitTheEnvironmentFileSets()
    {
        var command = Compose.Services["redis"].List("command").OfType<string>().ToList();
        var example = File.ReadAllLines(Repository.PathOf("deploy/compose.env.example"))
            .Single(l => l.StartsWith("REDIS_MAXMEMORY=", StringComparison.Ordinal))["REDIS_MAXMEMORY=".Length..];

        Assert.Equal("noeviction", command[command.IndexOf("--maxmemory-policy") + 1]);
        var limit = command[command.IndexOf("--maxmemory") + 1];
        Assert.StartsWith("${REDIS_MAXMEMORY:-", limit, StringComparison.Ordinal);
        Assert.Equal(MemorySize.FromRedis(example), MemorySize.FromRedis(limit["${REDIS_MAXMEMORY:-".Length..^1]));
    }

    [Fact]
    public void Services_Every_DropsAllCapabilitiesAndCannotGainPrivileges()
    {
        var problems = Compose.Services
            .Where(s => !s.Value.List("cap_drop").OfType<string>().Contains("ALL")
                || !s.Value.List("security_opt").OfType<string>().Contains("no-new-privileges:true"))
            .Select(s => s.Key)
            .ToList();

        Assert.True(problems.Count == 0, $"These services keep capabilities or may gain privileges: {string.Join(", ", problems)}.");
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Services_Runnable_RunWithAReadOnlyRootAndAnInMemoryTmp(string name)
    {
        var service = Compose.Services[name];

        Assert.Equal("true", service.Text("read_only"));
        Assert.Contains("/tmp", service.List("tmpfs").OfType<string>());
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Environment_Runnable_HasAnIdentityAndARedisUserOfItsOwn(string name)
    {
        var environment = Compose.EffectiveEnvironment(RunnableCatalog.Named(name));

        Assert.Equal(name, environment["Redis__User"]);
        Assert.EndsWith($"/{name}.password", environment["Redis__PasswordFile"], StringComparison.Ordinal);
        Assert.EndsWith($"/{name}.pem", environment["Identity__CertificateFile"], StringComparison.Ordinal);
        if (name == "sidecar")
        {
            // As in a pod: its app joins its network namespace and reaches its app API on that loopback.
            Assert.True(Address.Parse(environment["Urls"].Split(';')[0]) is { IsLoopback: true }, $"sidecar: {environment["Urls"]}");
            Assert.Contains(Compose.Services.Values, s => s.Text("network_mode") == "service:sidecar");
        }
        else
        {
            Assert.StartsWith("https://", environment["Urls"], StringComparison.Ordinal);
        }

        if (environment.TryGetValue("Kafka__Client__ssl.certificate.location", out var kafkaCertificate))
        {
            Assert.Equal("SSL", environment["Kafka__Client__security.protocol"]);
            Assert.Equal(environment["Identity__CertificateFile"], kafkaCertificate);
        }
    }

    [Fact]
    public void Kafka_Broker_RequiresClientCertificatesAndAcls()
    {
        var kafka = Compose.Environment("kafka");
        var topics = Compose.Environment("kafka-topics");

        Assert.Equal("required", kafka["KAFKA_SSL_CLIENT_AUTH"]);
        Assert.Equal("false", kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"]);
        Assert.DoesNotContain("PLAINTEXT://:", kafka["KAFKA_LISTENERS"], StringComparison.Ordinal);
        Assert.Equal("/opt/mesh/kafka/acls.txt", topics["ACLS_FILE"]);
    }

    [Fact]
    public void Redis_ExamplePassword_IsRefusedAtStart()
    {
        var example = File.ReadAllLines(Repository.PathOf("deploy/compose.env.example"))
            .Single(l => l.StartsWith("REDIS_PASSWORD=", StringComparison.Ordinal))["REDIS_PASSWORD=".Length..];
        var command = string.Join(" ", Compose.Services["mesh-init"].List("command").OfType<string>());

        Assert.Contains($"\"$$REDIS_PASSWORD\" = {example} ]", command, StringComparison.Ordinal);
        Assert.Contains("exit 1", command, StringComparison.Ordinal);
    }

    private static bool HasHealthCheck(string service)
    {
        if (Compose.Services[service].ContainsKey("healthcheck"))
        {
            return true;
        }

        return Compose.Services[service].Map("build").Text("dockerfile") == Dockerfile.RelativePath
            && Dockerfile.Instance.InFinalStage("HEALTHCHECK").Any();
    }
}
