using Mesh.Cli.DeadLetters;

namespace Mesh.UnitTests.DeadLetters;

public sealed class KafkaClientPropertiesTests
{
    [Fact]
    public void Normalise_TheComposeClientProperties_JavaPemStoresBecomeLibrdkafkaLocations()
    {
        var file = Path.Combine(RepositoryRoot.Path, "deploy", "kafka", "client.properties");

        var properties = KafkaClientProperties.Normalise(KafkaClientProperties.ParseFile(File.ReadAllLines(file), "client.properties"));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["security.protocol"] = "SSL",
                ["ssl.ca.location"] = "/secrets/certs/ca.pem",
                ["ssl.certificate.location"] = "/secrets/certs/operator.keystore.pem",
                ["ssl.key.location"] = "/secrets/certs/operator.keystore.pem",
            },
            properties.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary());
    }

    [Fact]
    public void Normalise_SameKeyTwice_TheLaterWins()
    {
        var properties = KafkaClientProperties.Normalise([new("client.id", "a"), new("client.id", "b")]);

        Assert.Equal("b", properties["client.id"]);
    }

    [Theory]
    [InlineData("group.id")]
    [InlineData("enable.auto.commit")]
    [InlineData("acks")]
    [InlineData("enable.idempotence")]
    public void Normalise_KeyTheCliSets_Refused(string key)
    {
        var exception = Assert.Throws<FormatException>(() => KafkaClientProperties.Normalise([new(key, "x")]));

        Assert.Contains(key, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalise_JavaKeyStoreTruststore_RefusedWithWhatToUseInstead()
    {
        var exception = Assert.Throws<FormatException>(() => KafkaClientProperties.Normalise(
            [new("ssl.truststore.type", "JKS"), new("ssl.truststore.location", "/x.jks")]));

        Assert.Contains("PEM", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseFile_LineWithoutEquals_FormatExceptionNamingTheLine()
    {
        var exception = Assert.Throws<FormatException>(() => KafkaClientProperties.ParseFile(["# comment", "", "security.protocol SSL"], "a.properties"));

        Assert.StartsWith("a.properties:3:", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsePair_ValueWithEquals_SplitAtTheFirst()
    {
        var pair = KafkaClientProperties.ParsePair("sasl.jaas.config = a=b ");

        Assert.Equal(new KeyValuePair<string, string>("sasl.jaas.config", "a=b"), pair);
    }
}
