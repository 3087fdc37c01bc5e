using Mesh.DeploymentTests.Support;

namespace Mesh.DeploymentTests;

/// <summary>k8s/base deploys every runnable with probes, scaling, budgets, configuration and network rules.</summary>
public sealed class KubernetesManifestTests
{
    private const string SidecarName = "sidecar";
    private static readonly Kustomization Base = Kustomization.Base;
    private static readonly SidecarComponent Sidecar = SidecarComponent.Instance;
    private static readonly string[] DaprPortVariables = ["DAPR_GRPC_PORT", "DAPR_HTTP_PORT"];

    public static TheoryData<string> Runnables => new(RunnableCatalog.All.Select(r => r.Name));

    public static TheoryData<string> Workloads => new(RunnableCatalog.All.Where(r => r.Name != SidecarName).Select(r => r.Name));

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Workload_Runnable_HasDeploymentServiceAutoscalerAndDisruptionBudget(string name)
    {
        var missing = new[] { "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget" }
            .Where(kind => Base.Find(kind, name) is null)
            .ToList();

        Assert.True(missing.Count == 0, $"k8s/base has no {string.Join(", ", missing)} named '{name}'.");
        var autoscaler = Base.Find("HorizontalPodAutoscaler", name)!;
        Assert.Equal(name, autoscaler.Body.At("spec", "scaleTargetRef").Text("name"));
        Assert.Null(Base.Find("Deployment", name)!.Body.Map("spec")!.GetValueOrDefault("replicas"));
    }

    [Fact]
    public void Sidecar_Component_AddsANativeSidecarWhoseAppApisListenOnLoopbackOnly()
    {
        var sidecar = Assert.Single(Sidecar.Patch.SidecarContainers);
        var environment = Base.EffectiveEnvironment(sidecar, RunnableCatalog.Named(SidecarName));
        var urls = environment["Urls"].Split(';').Select(u => Address.Parse(u)!).ToList();

        Assert.Equal("Component", Sidecar.Kind);
        Assert.Equal($"mesh/{SidecarName}", ImageName(sidecar));
        Assert.True(urls[0].IsLoopback, $"The sidecar's app API must listen on the pod's loopback: {environment["Urls"]}.");
        Assert.All(urls.Where(u => !u.IsLoopback), u => Assert.Equal(environment["Health__Port"], u.Port?.ToString()));
        // Dapr's API binds to loopback by itself (services/sidecar DaprExtensions); the app finds it on the same ports.
        foreach (var variable in DaprPortVariables)
        {
            Assert.True(int.TryParse(environment.GetValueOrDefault(variable), out _), $"The sidecar sets no {variable}.");
            Assert.Equal(environment[variable], Assert.Single(Sidecar.AppEnvironment, e => e.Text("name") == variable).Text("value"));
        }

        Assert.Equal("metadata.labels['app.kubernetes.io/name']", Variable(sidecar, "Sidecar__AppId").At("valueFrom", "fieldRef").Text("fieldPath"));
        var hash = Variable(sidecar, "Sidecar__AppTokenSha256").At("valueFrom", "secretKeyRef");
        var token = Assert.Single(Sidecar.AppEnvironment, e => e.Text("name") == "DAPR_API_TOKEN").At("valueFrom", "secretKeyRef");
        Assert.Equal(hash.Text("name"), token.Text("name"));
        Assert.Equal(("token", "token-sha256"), (token.Text("key"), hash.Text("key")));
    }

    [Fact]
    public void Sidecar_Pods_OnlyThoseOfAppsThatCallIt()
    {
        var inBase = Base.OfKind("Deployment")
            .Where(d => d.SidecarContainers.Concat(d.Containers).Any(c => ImageName(c) == $"mesh/{SidecarName}")
                || d.Containers.Any(c => c.Maps("env").Any(e => e.Text("name") == "Sidecar__Address")))
            .ToList();

        Assert.True(inBase.Count == 0, $"No base workload calls the sidecar, yet these run it or point at it: {string.Join(", ", inBase)}.");
        Assert.Equal(["k8s/samples/order-audit"], SidecarComponent.Includers());
        Assert.Contains(Kustomization.Overlays, o => o.Resources.Contains("../../samples/order-audit"));
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Containers_Runnable_ProbeGrpcHealthOnTheirHealthPort(string name)
    {
        var containers = ContainersOf(name).ToList();
        Assert.True(containers.Count > 0, $"No container in k8s/base runs mesh/{name}.");

        foreach (var (owner, container) in containers)
        {
            var environment = Base.EffectiveEnvironment(container, RunnableFor(container)!);
            var health = environment.GetValueOrDefault("Health__Port");
            var listening = (environment.GetValueOrDefault("Urls") ?? "").Split(';').Select(u => Address.Parse(u)?.Port?.ToString()).ToList();
            var declared = container.Maps("ports").Select(p => p.Text("containerPort")).ToList();
            Assert.True(health is not null && listening.Contains(health),
                $"{owner}: container {container.Text("name")} needs a Health__Port among its Urls ({string.Join(", ", listening)}): probes cannot speak TLS or reach loopback.");
            Assert.True(declared.Contains(health), $"{owner}: container {container.Text("name")} answers health on {health} but declares ports {string.Join(", ", declared)}.");
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                Assert.True(container.Map(probe).Map("grpc").Text("port") == health,
                    $"{owner}: {container.Text("name")}.{probe} must be a grpc probe on the health port {health}.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Containers_Workload_ServeMutualTlsWithTheirCertificateFromCertManager(string name)
    {
        var deployment = Base.Find("Deployment", name)!;
        var container = deployment.Containers.Single(c => c.Text("name") == name);
        var environment = Base.EffectiveEnvironment(container, RunnableFor(container)!);
        var certificate = Base.Find("Certificate", $"mesh-identity-{name}");

        Assert.StartsWith("https://", environment["Urls"], StringComparison.Ordinal);
        Assert.NotNull(certificate);
        Assert.Equal([$"spiffe://{Base.ConfigMaps["mesh-common"]["Identity__TrustDomain"]}/{name}"], certificate.Body.Map("spec").List("uris").OfType<string>());
        var mount = container.Maps("volumeMounts").Single(m => environment["Identity__CertificateFile"].StartsWith(m.Text("mountPath") + "/", StringComparison.Ordinal));
        var volume = deployment.Body.At("spec", "template", "spec").Maps("volumes").Single(v => v.Text("name") == mount.Text("name"));
        Assert.Equal(certificate.Body.Map("spec").Text("secretName"), volume.Map("secret").Text("secretName"));
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Containers_Runnable_SetEveryKeyTheDeploymentMustProvide(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        foreach (var (owner, container) in ContainersOf(name))
        {
            var environment = Base.EffectiveEnvironment(container, runnable);

            var missing = ConfigurationKeyPolicy.Required(runnable).Where(k => !ConfigurationKeyPolicy.IsSet(k, environment)).ToList();

            Assert.True(missing.Count == 0,
                $"{owner}: container {container.Text("name")} does not set " +
                string.Join(", ", missing.Select(k => k.Replace(":", "__", StringComparison.Ordinal))) +
                " (add them to k8s/base/config/*.env or the container's env).");
        }
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Containers_Runnable_SetOnlyKeysTheCodeReads(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        foreach (var (owner, container) in ContainersOf(name))
        {
            var image = ComposeFile.Instance.ImageEnvironment(runnable);
            var unknown = Base.EffectiveEnvironment(container, runnable).Keys
                .Where(k => !image.ContainsKey(k) && !ConfigurationKeyPolicy.IsKnown(runnable, k))
                .ToList();

            Assert.True(unknown.Count == 0,
                $"{owner}: container {container.Text("name")} sets {string.Join(", ", unknown)}, which " +
                $"{runnable.ProjectDirectory}/appsettings.json does not have: a typo or a key the code no longer reads.");
        }
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Containers_Addresses_NameServicesAndPortsOfTheCluster(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        var problems = new List<string>();
        foreach (var (owner, container) in ContainersOf(name))
        {
            foreach (var (variable, value) in Base.EffectiveEnvironment(container, runnable).Where(e => ConfigurationKeyPolicy.IsAddress(e.Key)))
            {
                var address = Address.Parse(value);
                var key = ConfigurationKeyPolicy.ToKey(variable);
                if (address is null || address.IsLoopback)
                {
                    problems.Add($"{owner}: {variable}={value} must name another host");
                }
                else if (key.StartsWith("Services:", StringComparison.OrdinalIgnoreCase))
                {
                    var service = Base.Find("Service", address.Host);
                    var target = RunnableCatalog.All.FirstOrDefault(r => r.Name == address.Host);
                    var servicePort = service?.Body.Map("spec").Maps("ports").FirstOrDefault(p => p.Text("port") == address.Port?.ToString());
                    if (service is null || target is null || servicePort is null)
                    {
                        problems.Add($"{owner}: {variable}={value}: no Service '{address.Host}' with port {address.Port}");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Service_Workload_TargetsTheContainersGrpcPort(string name)
    {
        var service = Base.Find("Service", name)!;
        var deployment = Base.Find("Deployment", name)!;
        var container = deployment.Containers.Single(c => c.Text("name") == name);
        var ports = container.Maps("ports").ToList();

        foreach (var port in service.Body.Map("spec").Maps("ports"))
        {
            var target = port.Text("targetPort");
            Assert.Contains(ports, p => p.Text("name") == target || p.Text("containerPort") == target);
        }

        Assert.Equal(deployment.Body.At("spec", "selector", "matchLabels"), service.Body.At("spec", "selector"));
    }

    [Fact]
    public void NetworkPolicies_Ingress_OnlyTheGatewayFromOutsideAndServicesFromTheGateway()
    {
        var policies = Base.OfKind("NetworkPolicy").ToList();
        var denyAll = policies.SingleOrDefault(p => p.Body.At("spec", "podSelector", "matchLabels").Text("app.kubernetes.io/part-of") == "mesh");
        Assert.NotNull(denyAll);
        Assert.Equal(["Ingress", "Egress"], denyAll.Body.Map("spec").List("policyTypes").OfType<string>());
        Assert.Empty(denyAll.Body.Map("spec").List("ingress"));
        Assert.True(Base.Root.Maps("labels").Any(l => l.Map("pairs").Text("app.kubernetes.io/part-of") == "mesh" && l.Text("includeTemplates") == "true"),
            "k8s/base/kustomization.yaml must label pod templates app.kubernetes.io/part-of: mesh, which the policies select.");

        foreach (var name in RunnableCatalog.All.Where(r => r.Name != SidecarName).Select(r => r.Name))
        {
            var rules = policies.Where(p => Selects(p.Body.At("spec", "podSelector"), name)).SelectMany(p => p.Body.Map("spec").Maps("ingress")).ToList();
            Assert.True(rules.Count > 0, $"No NetworkPolicy admits traffic to {name}.");
            var fromAnywhere = rules.Any(r => r.List("from").Count == 0);
            Assert.True(fromAnywhere == (name == "gateway"),
                name == "gateway" ? "The gateway must accept traffic from outside." : $"{name} must accept traffic from the gateway only.");
            Assert.All(rules.Where(r => r.List("from").Count > 0).SelectMany(r => r.Maps("from")),
                from => Assert.Equal("gateway", from.At("podSelector", "matchLabels").Text("app.kubernetes.io/name")));
        }
    }

    [Fact]
    public void NetworkPolicies_SidecarPort_IsAdmittedByNoRule()
    {
        var sidecar = Sidecar.Patch.SidecarContainers.Single();
        var environment = Base.EffectiveEnvironment(sidecar, RunnableCatalog.Named(SidecarName));
        var sidecarPorts = DaprPortVariables.Select(v => environment[v]).Append(ListenPort(sidecar)?.ToString()).OfType<string>().ToHashSet();

        var admitted = Base.OfKind("NetworkPolicy")
            .SelectMany(p => p.Body.Map("spec").Maps("ingress"))
            .SelectMany(r => r.Maps("ports"))
            .Select(p => p.Text("port"))
            .ToList();

        Assert.NotEmpty(sidecarPorts);
        Assert.DoesNotContain(admitted, port => port is not null && sidecarPorts.Contains(port));
    }

    [Fact]
    public void NetworkPolicies_SidecarPods_ReachRedisAndOtlp()
    {
        var labels = Sidecar.Patch.Body.At("spec", "template", "metadata", "labels");
        var common = Base.ConfigMaps["mesh-common"];

        var ports = Base.OfKind("NetworkPolicy")
            .Where(p => p.Body.At("spec", "podSelector", "matchLabels") is { Count: > 0 } selector
                && selector.All(l => labels.Text(l.Key) == l.Value as string))
            .SelectMany(p => p.Body.Map("spec").Maps("egress"))
            .SelectMany(r => r.Maps("ports"))
            .Select(p => p.Text("port"))
            .ToHashSet();

        Assert.Contains(Address.Parse(common["Redis__Configuration"])?.Port?.ToString(), ports);
        Assert.Contains(Address.Parse(common[ConfigurationKeyPolicy.OtlpEndpoint])?.Port?.ToString(), ports);
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void NetworkPolicies_Egress_ReachRedisKafkaAndOtlpWhereUsed(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        var egressPorts = Base.OfKind("NetworkPolicy")
            .Where(p => Selects(p.Body.At("spec", "podSelector"), name))
            .SelectMany(p => p.Body.Map("spec").Maps("egress"))
            .SelectMany(r => r.Maps("ports"))
            .Select(p => p.Text("port"))
            .ToHashSet();
        var common = Base.ConfigMaps["mesh-common"];
        var needed = new List<int?>
        {
            Address.Parse(common["Redis__Configuration"])?.Port,
            Address.Parse(common[ConfigurationKeyPolicy.OtlpEndpoint])?.Port,
            53,
        };
        if (runnable.UsesKafka)
        {
            needed.Add(Address.Parse(common["Kafka__BootstrapServers"])?.Port);
        }

        var missing = needed.Where(p => !egressPorts.Contains(p?.ToString())).ToList();

        Assert.True(missing.Count == 0, $"No NetworkPolicy lets {name} connect to port(s) {string.Join(", ", missing)}.");
    }

    [Fact]
    public void NetworkPolicies_Egress_EveryRuleNamesItsDestinations()
    {
        var open = Base.OfKind("NetworkPolicy")
            .SelectMany(p => p.Body.Map("spec").Maps("egress").Select(rule => (p.Name, rule)))
            .Where(e => e.rule.List("to").Count == 0)
            .Select(e => e.Name)
            .ToList();

        Assert.True(open.Count == 0, $"Egress rules without `to:` (any destination on their ports): {string.Join(", ", open)}.");
    }

    [Fact]
    public void Namespaces_EveryOverlay_EnforcesTheRestrictedPodSecurityStandard()
    {
        foreach (var overlay in Kustomization.Overlays)
        {
            var ns = Assert.Single(overlay.OfKind("Namespace"));
            var labels = ns.Body.At("metadata", "labels");
            Assert.Equal(overlay.Root.Text("namespace"), ns.Name);
            Assert.Equal("restricted", labels.Text("pod-security.kubernetes.io/enforce"));
        }
    }

    [Fact]
    public void Identity_InsecureMode_IsSetByNoDeployment()
    {
        // One variable turns off mutual TLS and every caller check; it exists for benchmarks and
        // local comparisons only, so no manifest, overlay, Compose file or example sets it.
        var files = Directory.EnumerateFiles(Repository.PathOf("k8s"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Repository.PathOf("deploy"), "*", SearchOption.AllDirectories))
            .Append(Repository.PathOf("docker-compose.yml"));

        var setting = files.Where(f => File.ReadAllText(f).Contains("Identity__Insecure", StringComparison.OrdinalIgnoreCase)
            || File.ReadAllText(f).Contains("Identity:Insecure", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.Empty(setting);
    }

    [Fact]
    public void Gateway_Production_KeepsTheClientAddress()
    {
        var prod = Kustomization.Overlays.Single(o => o.Directory.EndsWith("/prod", StringComparison.Ordinal));

        var service = Yaml.LoadDocuments(Repository.PathOf($"{prod.Directory}/patches/gateway.yaml"))
            .Single(d => d.Text("kind") == "Service");

        Assert.Equal("LoadBalancer", service.At("spec").Text("type"));
        Assert.Equal("Local", service.At("spec").Text("externalTrafficPolicy"));
    }

    [Fact]
    public void Secrets_BaseAndProduction_HoldNoSecretValues()
    {
        foreach (var kustomization in Kustomization.Overlays.Where(o => !o.Directory.EndsWith("/dev", StringComparison.Ordinal)).Append(Base))
        {
            Assert.Empty(kustomization.OfKind("Secret"));
            Assert.Empty(kustomization.GeneratedSecrets);
        }

        var references = Base.OfKind("Deployment").Append(Sidecar.Patch)
            .SelectMany(d => d.Body.At("spec", "template", "spec").Maps("volumes"))
            .Select(v => v.Map("secret").Text("secretName"))
            .OfType<string>()
            .Where(s => s.StartsWith("mesh-redis-", StringComparison.Ordinal))
            .ToHashSet();
        Assert.Equal(
            RunnableCatalog.All.Select(r => $"mesh-redis-{r.Name}").Order(),
            references.Order());
    }

    [Fact]
    public void Overlays_Every_BuildsOnTheBaseAndMergesOnlyKeysTheBaseHas()
    {
        Assert.Equal(["k8s/overlays/dev", "k8s/overlays/prod"], Kustomization.Overlays.Select(o => o.Directory));
        foreach (var overlay in Kustomization.Overlays)
        {
            Assert.Contains("../../base", overlay.Resources);
            Assert.False(string.IsNullOrEmpty(overlay.Root.Text("namespace")), $"{overlay.Directory} sets no namespace.");
            foreach (var generator in overlay.Root.Maps("configMapGenerator"))
            {
                var name = generator.Text("name")!;
                if (generator.Text("behavior") is null && !Base.ConfigMaps.ContainsKey(name))
                {
                    continue; // The overlay's own, for its own resources (the dev overlay's Redis).
                }

                Assert.True(generator.Text("behavior") == "merge" && Base.ConfigMaps.ContainsKey(name),
                    $"{overlay.Directory}: ConfigMap {name} must merge into the base's.");
                var unknown = overlay.ConfigMaps[name].Keys.Except(Base.ConfigMaps[name].Keys).ToList();
                Assert.True(unknown.Count == 0, $"{overlay.Directory}: ConfigMap {name} sets {string.Join(", ", unknown)}, which the base does not have.");
            }
        }
    }

    [Fact]
    public void DevRedis_AclFile_HoldsTheMeshUsersWithTheOverlaysPasswords()
    {
        var dev = Kustomization.Overlays.Single(o => o.Directory.EndsWith("/dev", StringComparison.Ordinal));
        var passwords = dev.Root.Maps("secretGenerator")
            .Where(g => g.Text("name")!.StartsWith("mesh-redis-", StringComparison.Ordinal))
            .ToDictionary(g => g.Text("name")!["mesh-redis-".Length..], g => g.List("literals").OfType<string>().Single()["password=".Length..]);

        var committed = File.ReadAllText(Repository.PathOf($"{dev.Directory}/infra/redis-users.acl"));

        Assert.Equal(Mesh.Identity.RedisAccess.Users.Select(u => u.Name).Order(), passwords.Keys.Order());
        Assert.Equal(Mesh.Identity.RedisAccess.AclFile(passwords).TrimEnd(), committed.TrimEnd());
    }

    [Fact]
    public void DevRedis_AtItsMemoryLimit_RefusesWritesWellBelowTheContainersLimit()
    {
        var dev = Kustomization.Overlays.Single(o => o.Directory.EndsWith("/dev", StringComparison.Ordinal));
        var redis = dev.Find("Deployment", "redis")!.Containers.Single();
        var args = redis.List("args").OfType<string>().ToList();

        Assert.Equal("noeviction", ArgumentAfter(args, "--maxmemory-policy"));
        var maxMemory = MemorySize.FromRedis(ArgumentAfter(args, "--maxmemory"));
        var limit = MemorySize.FromKubernetes(redis.At("resources", "limits").Text("memory")!);
        // The append-only file's rewrite forks: pages written meanwhile are copied, so leave room.
        Assert.InRange(maxMemory, 1, limit * 3 / 4);
    }

    [Fact]
    public void Overlays_Production_SpreadsEveryDeploymentAcrossZonesAndNodes()
    {
        var prod = Kustomization.Overlays.Single(o => o.Directory.EndsWith("/prod", StringComparison.Ordinal));

        var spread = prod.Root.Maps("patches")
            .Where(p => p.Map("target").Text("kind") == "Deployment" && p.Text("path") is not null)
            .SelectMany(p => Yaml.LoadDocuments(Repository.PathOf($"{prod.Directory}/{p.Text("path")}")))
            .SelectMany(d => d.At("spec", "template", "spec").Maps("topologySpreadConstraints"))
            .Select(c => c.Text("topologyKey"))
            .ToHashSet();

        Assert.Superset(new HashSet<string?>(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]), spread);
    }

    /// <summary>The containers running mesh/<paramref name="name"/>, in the base and in the sidecar component.</summary>
    private static IEnumerable<(KubernetesObject Owner, Dictionary<string, object?> Container)> ContainersOf(string name) =>
        Base.OfKind("Deployment").Append(Sidecar.Patch).SelectMany(d => d.Containers.Concat(d.SidecarContainers)
            .Where(c => ImageName(c) == $"mesh/{name}")
            .Select(c => (d, c)));

    private static Dictionary<string, object?> Variable(Dictionary<string, object?> container, string name) =>
        container.Maps("env").SingleOrDefault(e => e.Text("name") == name) ?? throw new Xunit.Sdk.XunitException($"{container.Text("name")} sets no {name}.");

    private static string ArgumentAfter(List<string> args, string flag) =>
        args.IndexOf(flag) is var at and >= 0 && at + 1 < args.Count ? args[at + 1] : throw new Xunit.Sdk.XunitException($"No {flag} in {string.Join(" ", args)}");

    private static string? ImageName(Dictionary<string, object?> container) => container.Text("image")?.Split(':')[0];

    private static Runnable? RunnableFor(Dictionary<string, object?> container) =>
        RunnableCatalog.All.FirstOrDefault(r => ImageName(container) == $"mesh/{r.Name}");

    private static int? ListenPort(Dictionary<string, object?> container)
    {
        var runnable = RunnableFor(container);
        return runnable is null ? null : Address.Parse(Base.EffectiveEnvironment(container, runnable).GetValueOrDefault("Urls"))?.Port;
    }

    private static bool Selects(Dictionary<string, object?>? selector, string name)
    {
        // Every Mesh pod template carries app.kubernetes.io/part-of: mesh (see kustomization.yaml).
        if (selector.Map("matchLabels").Text("app.kubernetes.io/name") == name
            || selector.Map("matchLabels").Text("app.kubernetes.io/part-of") == "mesh")
        {
            return true;
        }

        return selector.Maps("matchExpressions").Any(e => e.Text("key") == "app.kubernetes.io/name"
            && e.Text("operator") == "In" && e.List("values").OfType<string>().Contains(name));
    }
}
