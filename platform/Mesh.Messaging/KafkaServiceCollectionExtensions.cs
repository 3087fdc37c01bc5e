using Mesh.Messaging.Configuration;
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
    /// <summary>
    /// Adds <see cref="IEventPublisher"/> over one idempotent producer per process, and returns a
    /// builder to add consumers. Settings come from the <c>Kafka</c> section
    /// (<see cref="KafkaOptions"/>), validated at start-up; <c>KAFKA_BOOTSTRAP_SERVERS</c> is the
    /// fallback for <c>Kafka:BootstrapServers</c>.
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
        services.TryAddSingleton<MessagingActivities>();
        services.TryAddSingleton<KafkaEventPublisher>();
        services.TryAddSingleton<IEventPublisher>(provider => provider.GetRequiredService<KafkaEventPublisher>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProducerFlushService>());
        return new KafkaEventsBuilder(services);
    }
}
