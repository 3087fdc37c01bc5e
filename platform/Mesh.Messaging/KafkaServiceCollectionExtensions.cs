using Mesh.Messaging.Configuration;
using Mesh.Messaging.Consuming;
using Mesh.Messaging.Publishing;
using Mesh.Messaging.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging;

public static class KafkaServiceCollectionExtensions
{
    /// <summary>The name of the health check that reports whether Kafka brokers are reachable.</summary>
    public const string HealthCheckName = "kafka";

    /// <summary>The name of the health check that reports records stalled by transient handler failures.</summary>
    public const string StalledHealthCheckName = "kafka-stalled";

    /// <summary>
    /// Adds <see cref="IEventPublisher"/> over one idempotent producer per process, and returns a
    /// builder to add consumers. Settings come from the <c>Kafka</c> section
    /// (<see cref="KafkaOptions"/>), validated at start-up; <c>KAFKA_BOOTSTRAP_SERVERS</c> is the
    /// fallback for <c>Kafka:BootstrapServers</c>. Also adds the meter
    /// <see cref="MessagingTelemetry.MeterName"/> and the <c>kafka</c> health check.
    /// </summary>
    public static KafkaEventsBuilder AddKafkaEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KafkaOptions>()
            .Bind(configuration.GetSection(KafkaOptions.SectionName))
            .PostConfigure(options =>
            {
                if (string.IsNullOrWhiteSpace(options.BootstrapServers))
                {
                    options.BootstrapServers = configuration[KafkaOptions.BootstrapServersVariable] ?? "";
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<MessagingActivities>();
        services.TryAddSingleton<MessagingMetrics>();
        services.TryAddSingleton<StalledRecords>();
        services.TryAddSingleton<DeadLetterDepths>();
        services.TryAddSingleton<KafkaClientMonitor>();
        services.TryAddSingleton<KafkaEventPublisher>();
        services.TryAddSingleton<IEventPublisher>(provider => provider.GetRequiredService<KafkaEventPublisher>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProducerFlushService>());
        if (!services.Any(d => d.ServiceType == typeof(KafkaHealthCheck)))
        {
            // Untagged: readiness ("") reports it, the "liveness" service of Mesh.ServiceDefaults does not.
            services.AddSingleton<KafkaHealthCheck>();
            services.AddHealthChecks().AddCheck<KafkaHealthCheck>(HealthCheckName);
        }

        return new KafkaEventsBuilder(services);
    }
}
