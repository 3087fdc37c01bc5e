using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.ServiceDefaults.Events;

public static class EventRetentionExtensions
{
    /// <summary>Section <c>Events</c>, validated at start, and the <see cref="EventWindow"/>.</summary>
    public static IServiceCollection AddEventRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EventRetentionOptions>()
            .Bind(configuration.GetSection(EventRetentionOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventRetentionOptions>, EventRetentionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EventWindow>();
        return services;
    }
}
