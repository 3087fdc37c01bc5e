namespace Mesh.Cli.DeadLetters;

/// <summary>
/// librdkafka client properties from <c>--kafka-config FILE</c> (<c>key=value</c> lines, <c>#</c> or
/// <c>!</c> comments) and <c>--kafka-property key=value</c>, for TLS, mutual TLS or SASL against the
/// Compose and Kubernetes brokers. A file written for Kafka's Java tools, like
/// deploy/kafka/client.properties, names PEM stores the Java way; those keys are translated to
/// librdkafka's, since librdkafka would refuse them and the operator should not keep two files.
/// </summary>
public static class KafkaClientProperties
{
    /// <summary>Properties the CLI sets itself because its guarantees depend on them.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "group.id", "enable.auto.commit", "enable.auto.offset.store", "enable.idempotence", "acks",
    };

    /// <summary>One <c>key=value</c>; null when it is not of that form.</summary>
    public static KeyValuePair<string, string>? ParsePair(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return null;
        }

        var key = text[..equals].Trim();
        return key.Length == 0 ? null : new(key, text[(equals + 1)..].Trim());
    }

    /// <summary>The properties of a file's lines; a line that is neither a property nor a comment is an error.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseFile(IEnumerable<string> lines, string source)
    {
        var properties = new List<KeyValuePair<string, string>>();
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            var text = line.Trim();
            if (text.Length == 0 || text[0] is '#' or '!')
            {
                continue;
            }

            properties.Add(ParsePair(text) ?? throw new FormatException($"{source}:{number}: expected key=value, found '{text}'."));
        }

        return properties;
    }

    /// <summary>
    /// The properties librdkafka takes, later ones winning: Java PEM stores become
    /// <c>ssl.ca.location</c> and <c>ssl.certificate.location</c> + <c>ssl.key.location</c> (a PEM
    /// keystore holds both, and librdkafka finds each in the one file); reserved keys are refused.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Normalise(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var merged = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in properties)
        {
            if (Reserved.Contains(key))
            {
                throw new FormatException($"'{key}' cannot be set: the CLI sets it itself (its guarantees depend on it).");
            }

            merged[key] = value;
        }

        TranslateStore(merged, "ssl.truststore", pem: location => merged["ssl.ca.location"] = location);
        TranslateStore(merged, "ssl.keystore", pem: location =>
        {
            merged["ssl.certificate.location"] = location;
            merged["ssl.key.location"] = location;
        });
        return merged;
    }

    private static void TranslateStore(Dictionary<string, string> properties, string prefix, Action<string> pem)
    {
        if (!properties.Remove(prefix + ".type", out var type))
        {
            // librdkafka has ssl.keystore.location (PKCS#12) but no truststore at all.
            if (prefix == "ssl.truststore" && properties.ContainsKey(prefix + ".location"))
            {
                throw new FormatException("ssl.truststore.location needs ssl.truststore.type=PEM (or give ssl.ca.location): librdkafka reads no Java truststore.");
            }

            return;
        }

        if (string.Equals(type, "PEM", StringComparison.OrdinalIgnoreCase))
        {
            if (properties.Remove(prefix + ".location", out var location))
            {
                pem(location);
            }

            return;
        }

        if (!(prefix == "ssl.keystore" && string.Equals(type, "PKCS12", StringComparison.OrdinalIgnoreCase)))
        {
            throw new FormatException($"{prefix}.type={type} is not readable by librdkafka: use PEM files (ssl.ca.location, ssl.certificate.location, ssl.key.location) or a PKCS#12 keystore.");
        }
    }
}
