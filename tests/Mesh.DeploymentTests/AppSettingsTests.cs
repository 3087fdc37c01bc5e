using Mesh.DeploymentTests.Support;

namespace Mesh.DeploymentTests;

public sealed class AppSettingsTests
{
    [Fact]
    public void Flatten_NestedSectionsAndArrays_GivesConfigurationKeys()
    {
        var keys = AppSettings.Flatten("""
            { "Urls": "http://127.0.0.1:5000", "Quotas": { "Default": { "Capacity": 100 } },
              "Locks": { "Masters": [], "Hosts": ["a", "b"] } }
            """);

        Assert.Equal("http://127.0.0.1:5000", keys["Urls"]);
        Assert.Equal("100", keys["Quotas:Default:Capacity"]);
        Assert.Null(keys["Locks:Masters"]);
        Assert.Equal("b", keys["Locks:Hosts:1"]);
    }
}
