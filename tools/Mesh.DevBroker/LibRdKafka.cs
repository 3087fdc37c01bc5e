using System.Runtime.InteropServices;

namespace Mesh.DevBroker;

/// <summary>
/// The few librdkafka functions the mock cluster needs. The mock API is declared in rdkafka_mock.h
/// and is not covered by librdkafka's ABI guarantees, so these signatures are pinned to the
/// librdkafka.redist version in Directory.Packages.props.
/// </summary>
internal static partial class LibRdKafka
{
    /// <summary>The name the resolver in <see cref="NativeLibraryLoader"/> maps to a loadable file.</summary>
    public const string LibraryName = "librdkafka";

    public const int ProducerType = 0;
    public const int ConfOk = 0;

    [LibraryImport(LibraryName)]
    public static partial nint rd_kafka_conf_new();

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_conf_destroy(nint conf);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(nint conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    public static partial nint rd_kafka_new(int type, nint conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_destroy(nint rk);

    [LibraryImport(LibraryName)]
    public static partial nint rd_kafka_err2str(int err);

    [LibraryImport(LibraryName)]
    public static partial nint rd_kafka_version_str();

    [LibraryImport(LibraryName)]
    public static partial nint rd_kafka_mock_cluster_new(nint rk, int brokerCount);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_cluster_destroy(nint mcluster);

    [LibraryImport(LibraryName)]
    public static partial nint rd_kafka_mock_cluster_bootstraps(nint mcluster);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(nint mcluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(LibraryName)]
    public static partial int rd_kafka_mock_broker_set_down(nint mcluster, int brokerId);

    [LibraryImport(LibraryName)]
    public static partial int rd_kafka_mock_broker_set_up(nint mcluster, int brokerId);

    // The variadic rd_kafka_mock_push_request_errors cannot be called safely through P/Invoke;
    // this array variant does the same.
    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_push_request_errors_array(nint mcluster, short apiKey, nuint count, int[] errors);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_clear_request_errors(nint mcluster, short apiKey);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(nint mcluster, int delayMs);
}
