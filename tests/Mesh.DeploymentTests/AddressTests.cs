using Mesh.DeploymentTests.Support;

namespace Mesh.DeploymentTests;

public sealed class AddressTests
{
    [Theory]
    [InlineData("http://+:8080", "0.0.0.0", 8080)]
    [InlineData("http://users:8080", "users", 8080)]
    [InlineData("redis:6379,password=x", "redis", 6379)]
    [InlineData("kafka-0:9092,kafka-1:9092", "kafka-0", 9092)]
    public void Parse_Address_GivesFirstHostAndPort(string value, string host, int port)
    {
        var address = Address.Parse(value);

        Assert.Equal(new Address(host, port), address);
    }
}
