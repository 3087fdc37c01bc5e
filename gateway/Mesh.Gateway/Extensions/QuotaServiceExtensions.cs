using Mesh.Gateway.Quotas;
using Mesh.Quotas;
using Mesh.Quotas.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Extensions;

public static class QuotaServiceExtensions
{
    /// <summary>The quota engine with the gateway's defaults and its check that policies name real methods.</summary>
    public static IServiceCollection AddGatewayQuotas(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddQuotaEngine(configuration);
        services.AddSingleton<IPostConfigureOptions<QuotaOptions>, GatewayQuotaOptionsSetup>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuotaOptions>, GatewayQuotaOptionsValidator>());
        return services;
    }
}
