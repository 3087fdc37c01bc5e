using System.Runtime.InteropServices;
using System.Text;

namespace Mesh.DevBroker;

/// <summary>
/// librdkafka's in-memory mock Kafka cluster, reachable over TCP on loopback by any Kafka client.
/// Nothing is durable: every record is lost when the cluster is disposed. The cluster has no admin
/// API, so topics are created here with <see cref="CreateTopic"/>.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly nint _handle;
    private readonly nint _cluster;
    private bool _disposed;

    public MockKafkaCluster(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        NativeLibraryLoader.EnsureRegistered();

        _handle = CreateHostHandle();
        _cluster = LibRdKafka.rd_kafka_mock_cluster_new(_handle, brokers);
        if (_cluster == 0)
        {
            LibRdKafka.rd_kafka_destroy(_handle);
            throw new InvalidOperationException("librdkafka could not create the mock cluster.");
        }

        Brokers = brokers;
        Bootstrap = Marshal.PtrToStringUTF8(LibRdKafka.rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap address.");
    }

    /// <summary>Comma-separated <c>host:port</c> list for <c>bootstrap.servers</c>.</summary>
    public string Bootstrap { get; }

    /// <summary>Number of brokers; their ids are 1 to <see cref="Brokers"/>.</summary>
    public int Brokers { get; }

    /// <summary>The librdkafka version hosting the cluster, e.g. <c>2.16.0</c>.</summary>
    public static string LibrdkafkaVersion
    {
        get
        {
            NativeLibraryLoader.EnsureRegistered();
            return Marshal.PtrToStringUTF8(LibRdKafka.rd_kafka_version_str()) ?? "unknown";
        }
    }

    /// <summary>Every Mesh topic and its dead-letter twin, each with its contract's partition count.</summary>
    public void CreateMeshTopics()
    {
        foreach (var contract in Mesh.Contracts.EventContracts.All)
        {
            CreateTopic(contract.Topic, contract.Partitions);
            CreateTopic(Mesh.Contracts.Topics.DeadLetter(contract.Topic), contract.Partitions);
        }
    }

    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ThrowIfFailed(LibRdKafka.rd_kafka_mock_topic_create(Cluster, name, partitions, replicationFactor), $"create topic '{name}'");
    }

    /// <summary>Disconnects a broker (or all with -1) and refuses new connections; no leader change.</summary>
    public void SetBrokerDown(int brokerId) =>
        ThrowIfFailed(LibRdKafka.rd_kafka_mock_broker_set_down(Cluster, brokerId), $"set broker {brokerId} down");

    /// <summary>Makes a broker (or all with -1) accept connections again.</summary>
    public void SetBrokerUp(int brokerId) =>
        ThrowIfFailed(LibRdKafka.rd_kafka_mock_broker_set_up(Cluster, brokerId), $"set broker {brokerId} up");

    /// <summary>
    /// Makes the next requests with the given Kafka protocol API key (0 = Produce, 1 = Fetch,
    /// 8 = OffsetCommit, 11 = JoinGroup, ...) fail with these error codes, one per request, in order.
    /// Codes are Kafka protocol error codes (the values of Confluent.Kafka's <c>ErrorCode</c>).
    /// </summary>
    public void PushRequestErrors(short apiKey, params int[] errorCodes)
    {
        ArgumentNullException.ThrowIfNull(errorCodes);
        LibRdKafka.rd_kafka_mock_push_request_errors_array(Cluster, apiKey, (nuint)errorCodes.Length, errorCodes);
    }

    public void ClearRequestErrors(short apiKey) => LibRdKafka.rd_kafka_mock_clear_request_errors(Cluster, apiKey);

    /// <summary>How long a new consumer group waits for more members before its first rebalance.</summary>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay) =>
        LibRdKafka.rd_kafka_mock_group_initial_rebalance_delay_ms(Cluster, (int)delay.TotalMilliseconds);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        LibRdKafka.rd_kafka_mock_cluster_destroy(_cluster);
        LibRdKafka.rd_kafka_destroy(_handle);
    }

    private nint Cluster
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _cluster;
        }
    }

    // The mock cluster lives inside a client instance; a producer is the lightest one.
    private static nint CreateHostHandle()
    {
        var errors = new byte[512];
        var conf = LibRdKafka.rd_kafka_conf_new();
        // Without this the idle host instance warns that it has no bootstrap servers.
        if (LibRdKafka.rd_kafka_conf_set(conf, "log_level", "3", errors, (nuint)errors.Length) != LibRdKafka.ConfOk)
        {
            LibRdKafka.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"librdkafka rejected its configuration: {ErrorText(errors)}");
        }

        var handle = LibRdKafka.rd_kafka_new(LibRdKafka.ProducerType, conf, errors, (nuint)errors.Length);
        if (handle == 0)
        {
            LibRdKafka.rd_kafka_conf_destroy(conf); // Ownership passes to rd_kafka_new only on success.
            throw new InvalidOperationException($"librdkafka could not create the host instance: {ErrorText(errors)}");
        }

        return handle;
    }

    private static void ThrowIfFailed(int error, string action)
    {
        if (error != 0)
        {
            var reason = Marshal.PtrToStringUTF8(LibRdKafka.rd_kafka_err2str(error));
            throw new InvalidOperationException($"Mock cluster could not {action}: {reason} ({error}).");
        }
    }

    private static string ErrorText(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}
