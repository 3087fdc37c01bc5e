using Mesh.Contracts;

namespace Mesh.DevBroker;

/// <summary>Runs the mock cluster with every Mesh topic until SIGINT or SIGTERM.</summary>
internal static class DevBrokerHost
{
    public static async Task<int> RunAsync(DevBrokerSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        using var signal = new ShutdownSignal();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(signal.Token, cancellationToken);
        using var cluster = new MockKafkaCluster(settings.Brokers);
        cluster.SetGroupInitialRebalanceDelay(settings.InitialRebalanceDelay);

        foreach (var contract in EventContracts.All)
        {
            // The dead-letter topic keeps the partition count, so a record keeps its partition there.
            cluster.CreateTopic(contract.Topic, settings.Partitions ?? contract.Partitions);
            cluster.CreateTopic(Topics.DeadLetter(contract.Topic), settings.Partitions ?? contract.Partitions);
        }

        if (settings.BootstrapFile is { } file)
        {
            await BootstrapFile.WriteAsync(file, cluster.Bootstrap, stopping.Token);
        }

        await WriteBannerAsync(output, cluster, settings);
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("Stopping: destroying the mock cluster and all its records.");
        }
        finally
        {
            if (settings.BootstrapFile is { } path)
            {
                BootstrapFile.Delete(path, cluster.Bootstrap);
            }
        }

        return 0;
    }

    private static async Task WriteBannerAsync(TextWriter output, MockKafkaCluster cluster, DevBrokerSettings settings)
    {
        await output.WriteLineAsync("==================================================================");
        await output.WriteLineAsync(" Mesh dev broker: IN-MEMORY ONLY. Not durable: every topic, record");
        await output.WriteLineAsync(" and committed offset is lost when this process exits.");
        await output.WriteLineAsync("==================================================================");
        await output.WriteLineAsync($"librdkafka mock cluster {MockKafkaCluster.LibrdkafkaVersion}, {cluster.Brokers} broker(s)");
        await output.WriteLineAsync($"bootstrap: {cluster.Bootstrap}");
        await output.WriteLineAsync($"group initial rebalance delay: {settings.InitialRebalanceDelay.TotalMilliseconds} ms");
        foreach (var contract in EventContracts.All)
        {
            await output.WriteLineAsync($"topic: {contract.Topic} ({settings.Partitions ?? contract.Partitions} partitions, {contract.MessageType})");
            await output.WriteLineAsync($"topic: {Topics.DeadLetter(contract.Topic)} ({settings.Partitions ?? contract.Partitions} partitions, dead letters)");
        }

        await output.WriteLineAsync("Ready. Ctrl+C or SIGTERM stops it.");
        await output.FlushAsync();
    }
}
