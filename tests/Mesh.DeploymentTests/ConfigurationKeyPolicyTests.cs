using Mesh.DeploymentTests.Support;

namespace Mesh.DeploymentTests;

public sealed class ConfigurationKeyPolicyTests
{
    [Fact]
    public void Required_LoopbackAddressInAppSettings_MustBeSetByDeployments()
    {
        var runnable = new Runnable("example", "services/example/Example", "services/example/Example/Example.csproj", new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:5999",
            ["Peer:Address"] = "http://localhost:6000",
            ["Quotas:Enabled"] = "true",
        }, UsesKafka: true);

        var required = ConfigurationKeyPolicy.Required(runnable);

        Assert.Contains("Urls", required);
        Assert.Contains("Peer:Address", required);
        Assert.Contains(ConfigurationKeyPolicy.KafkaBootstrapServers, required);
        Assert.DoesNotContain("Quotas:Enabled", required);
    }

    [Fact]
    public void IsKnown_KeysOutsideAppSettings_AreRejected()
    {
        var runnable = new Runnable("example", "services/example/Example", "services/example/Example/Example.csproj", new Dictionary<string, string?>
        {
            ["Quotas:Default:Capacity"] = "100",
            ["Locks:Masters"] = null,
        }, UsesKafka: false);

        Assert.True(ConfigurationKeyPolicy.IsKnown(runnable, "Quotas__Default__Capacity"));
        Assert.True(ConfigurationKeyPolicy.IsKnown(runnable, "Locks__Masters__0"));
        Assert.False(ConfigurationKeyPolicy.IsKnown(runnable, "Quotas__Default__Capacty"));
    }
}
