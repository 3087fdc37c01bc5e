using System.CommandLine;
using Mesh.Cli.DeadLetters;

namespace Mesh.Cli.Infrastructure;

/// <summary>
/// How a command reaches Kafka: <c>--bootstrap</c> (else <c>bootstrap.servers</c> among the client
/// properties, else <c>kafka</c> in <c>.mesh/endpoints.json</c>), the deployment's client
/// properties from <c>--kafka-config</c> and <c>--kafka-property</c> (later ones win), and the
/// timeout of each broker operation. Recursive: given on <c>dlq</c>, they reach every subcommand.
/// </summary>
public sealed class KafkaConnectionOptions
{
    private const string BootstrapProperty = "bootstrap.servers";

    public Option<string?> Bootstrap { get; } = new("--bootstrap")
    {
        Description = $"Kafka bootstrap servers, host:port[,...]; default: 'kafka' from {MeshEndpoints.RelativePath} (./mesh.sh up writes it).",
        Recursive = true,
    };

    public Option<FileInfo?> Endpoints { get; } = new("--endpoints")
    {
        Description = $"The endpoints file; default: the nearest {MeshEndpoints.RelativePath}.",
        Recursive = true,
    };

    public Option<FileInfo> ConfigFile { get; } = new Option<FileInfo>("--kafka-config")
    {
        Description = "A properties file of librdkafka client settings (key=value lines, # comments), e.g. TLS: security.protocol, ssl.ca.location, " +
            "ssl.certificate.location, ssl.key.location. Java PEM stores (ssl.truststore/keystore.type=PEM, as in deploy/kafka/client.properties) are translated.",
        Recursive = true,
    }.AcceptExistingOnly();

    public Option<string[]> Properties { get; } = new("--kafka-property")
    {
        Description = "One librdkafka client setting, key=value (repeatable; wins over --kafka-config), e.g. --kafka-property security.protocol=SSL.",
        Recursive = true,
    };

    public Option<TimeSpan> Timeout { get; } = new("--timeout")
    {
        Description = "How long one broker operation (metadata, offsets, a fetch, a produce, a commit) may take before the command fails.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
        CustomParser = DurationParser.Parse,
        Recursive = true,
    };

    public KafkaConnectionOptions()
    {
        Properties.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (KafkaClientProperties.ParsePair(token.Value) is null)
                {
                    result.AddError($"--kafka-property '{token.Value}' is not key=value.");
                }
            }
        });
    }

    public IEnumerable<Option> All => [Bootstrap, Endpoints, ConfigFile, Properties, Timeout];

    /// <summary>
    /// The settings the command line gives, or what is missing or wrong: a usage error, or a failure
    /// when the address was to come from <c>.mesh/endpoints.json</c> and the mesh is not running.
    /// </summary>
    public (KafkaSettings? Settings, string? Problem, int ExitCode) Resolve(ParseResult result)
    {
        Dictionary<string, string> properties;
        try
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (result.GetValue(ConfigFile) is { } file)
            {
                pairs.AddRange(KafkaClientProperties.ParseFile(File.ReadAllLines(file.FullName), file.Name));
            }

            pairs.AddRange((result.GetValue(Properties) ?? []).Select(p => KafkaClientProperties.ParsePair(p)!.Value));
            properties = new Dictionary<string, string>(KafkaClientProperties.Normalise(pairs), StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception exception) when (exception is FormatException or IOException)
        {
            return (null, exception.Message, ExitCodes.Usage);
        }

        properties.Remove(BootstrapProperty, out var fromProperties);
        var bootstrap = result.GetValue(Bootstrap) ?? fromProperties;
        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            (bootstrap, var problem) = MeshEndpoints.Lookup("kafka", result.GetValue(Endpoints), "--bootstrap host:port");
            if (bootstrap is null)
            {
                return (null, problem, ExitCodes.Failed);
            }
        }

        return (new KafkaSettings(bootstrap, properties, result.GetValue(Timeout)), null, ExitCodes.Ok);
    }
}
