using System.Collections.Frozen;
using Mesh.Messaging.Consuming;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Configuration;

/// <summary>Rejects a Kafka configuration at start-up rather than at the first publish or poll.</summary>
internal sealed class KafkaOptionsValidator(IEnumerable<IEventDispatcher> dispatchers) : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            failures.Add($"Kafka:BootstrapServers (or the {KafkaOptions.BootstrapServersVariable} environment variable) is required.");
        }

        if (string.IsNullOrWhiteSpace(options.ConsumerGroup) && dispatchers.Any())
        {
            failures.Add("Kafka:ConsumerGroup is required when the service consumes events.");
        }

        failures.AddRange(Reserved("Producer", options.Producer, KafkaClientConfigs.ReservedProducerKeys));
        failures.AddRange(Reserved("Consumer", options.Consumer, KafkaClientConfigs.ReservedConsumerKeys));

        var retry = options.HandlerRetry;
        if (retry.MaxAttempts < 1)
        {
            failures.Add("Kafka:HandlerRetry:MaxAttempts must be at least 1.");
        }

        if (retry.InitialBackoff < TimeSpan.Zero || retry.MaxBackoff < retry.InitialBackoff)
        {
            failures.Add("Kafka:HandlerRetry needs 0 <= InitialBackoff <= MaxBackoff.");
        }

        if (options.ShutdownFlushTimeout <= TimeSpan.Zero)
        {
            failures.Add("Kafka:ShutdownFlushTimeout must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> Reserved(string section, Dictionary<string, string> properties, FrozenSet<string> reserved) =>
        properties.Keys
            .Where(reserved.Contains)
            .Select(key => $"Kafka:{section}:{key} is set by Mesh.Messaging and cannot be overridden.");
}
