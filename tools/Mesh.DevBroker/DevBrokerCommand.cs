using System.CommandLine;

namespace Mesh.DevBroker;

/// <summary>The command line of the dev broker.</summary>
internal static class DevBrokerCommand
{
    public static RootCommand Create()
    {
        var brokers = new Option<int>("--brokers")
        {
            Description = "Number of mock brokers (ids 1..N).",
            DefaultValueFactory = _ => 1,
        };
        var partitions = new Option<int?>("--partitions")
        {
            Description = "Partition count for every topic, instead of each contract's own.",
        };
        var bootstrapFile = new Option<string?>("--bootstrap-file")
        {
            Description = "Write the bootstrap address to this file once the broker is ready.",
        };
        var rebalanceDelay = new Option<int>("--initial-rebalance-delay-ms")
        {
            Description = "How long a new consumer group waits for more members (Kafka's group.initial.rebalance.delay.ms).",
            DefaultValueFactory = _ => 0,
        };
        AtLeast(brokers, 1);
        AtLeast(partitions, 1);
        AtLeast(rebalanceDelay, 0);

        var command = new RootCommand("Mesh dev Kafka broker: librdkafka's in-memory mock cluster with every Mesh topic.")
        {
            brokers, partitions, bootstrapFile, rebalanceDelay,
        };
        command.SetAction((result, cancellationToken) => DevBrokerHost.RunAsync(
            new DevBrokerSettings(result.GetValue(brokers), result.GetValue(partitions), result.GetValue(bootstrapFile),
                TimeSpan.FromMilliseconds(result.GetValue(rebalanceDelay))),
            Console.Out,
            cancellationToken));
        return command;
    }

    private static void AtLeast<T>(Option<T> option, int minimum) =>
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>() is int value && value < minimum)
            {
                result.AddError($"{option.Name} must be at least {minimum}.");
            }
        });
}
