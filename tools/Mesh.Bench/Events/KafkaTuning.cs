using System.Globalization;

namespace Mesh.Bench.Events;

/// <summary>
/// The two Kafka client settings that bound publish-to-handler latency: how long the producer
/// waits to fill a batch (<c>linger.ms</c>) and how long the broker may hold a fetch that found
/// nothing (<c>fetch.wait.max.ms</c>; the dev broker always waits all of it). Set as a service
/// sets them, under <c>Kafka:Producer:</c> and <c>Kafka:Consumer:</c>.
/// </summary>
public sealed record KafkaTuning(string Name, int LingerMs, int FetchWaitMaxMs)
{
    /// <summary>What the services run with on the dev broker: librdkafka's linger and appsettings.Development.json's fetch wait.</summary>
    public static readonly KafkaTuning Services = new("services' settings", 5, int.Parse(RawClients.FetchWaitMaxMs, CultureInfo.InvariantCulture));

    /// <summary>Shorter waits at both ends: more, smaller requests for lower latency.</summary>
    public static readonly KafkaTuning LowLatency = new("low latency", 1, 2);

    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        KeyValuePair.Create<string, string?>("Kafka:Producer:linger.ms", LingerMs.ToString(CultureInfo.InvariantCulture)),
        KeyValuePair.Create<string, string?>("Kafka:Consumer:fetch.wait.max.ms", FetchWaitMaxMs.ToString(CultureInfo.InvariantCulture)),
    ];

    public override string ToString() => $"{Name}: linger.ms={LingerMs}, fetch.wait.max.ms={FetchWaitMaxMs}";
}
