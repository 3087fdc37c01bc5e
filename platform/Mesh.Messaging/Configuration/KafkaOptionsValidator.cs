using System.Collections.Frozen;
using System.Globalization;
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

        failures.AddRange(Reserved("Client", options.Client, KafkaClientConfigs.ReservedClientKeys));
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

        if (retry.Jitter is < 0 or > 1 || double.IsNaN(retry.Jitter))
        {
            failures.Add("Kafka:HandlerRetry:Jitter must be between 0 and 1.");
        }

        if (options.MaxConcurrency is < 1 or > MaxConcurrencyLimit)
        {
            failures.Add($"Kafka:MaxConcurrency must be between 1 and {MaxConcurrencyLimit}.");
        }

        if (options.MaxBufferedRecords < 1)
        {
            failures.Add("Kafka:MaxBufferedRecords must be at least 1.");
        }

        failures.AddRange(Positive(("ShutdownFlushTimeout", options.ShutdownFlushTimeout),
            ("DrainTimeout", options.DrainTimeout), ("UnhealthyAfter", options.UnhealthyAfter), ("PauseAfter", options.PauseAfter),
            ("StalledAfter", options.StalledAfter), ("DeadLetterDepthInterval", options.DeadLetterDepthInterval)));

        // Revocation waits for handlers on the poll thread, and a full buffer keeps the loop from
        // polling until it pauses; a wait as long as the poll interval would get the member
        // thrown out of the group.
        var maxPollInterval = MaxPollInterval(options);
        if (options.DrainTimeout >= maxPollInterval / 2)
        {
            failures.Add("Kafka:DrainTimeout must be less than half of Kafka:Consumer:max.poll.interval.ms.");
        }

        if (options.PauseAfter >= maxPollInterval / 2)
        {
            failures.Add("Kafka:PauseAfter must be less than half of Kafka:Consumer:max.poll.interval.ms.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private const int MaxConcurrencyLimit = 10_000;

    private static TimeSpan MaxPollInterval(KafkaOptions options) =>
        options.Consumer.TryGetValue("max.poll.interval.ms", out var value)
        && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds)
            : TimeSpan.FromMinutes(5); // librdkafka's default

    private static IEnumerable<string> Positive(params (string Name, TimeSpan Value)[] durations) =>
        durations.Where(d => d.Value <= TimeSpan.Zero).Select(d => $"Kafka:{d.Name} must be positive.");

    private static IEnumerable<string> Reserved(string section, Dictionary<string, string> properties, FrozenSet<string> reserved) =>
        properties.Keys
            .Where(reserved.Contains)
            .Select(key => $"Kafka:{section}:{key} is set by Mesh.Messaging and cannot be overridden.");
}
