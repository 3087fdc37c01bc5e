using Mesh.Gateway.Routing;
using Mesh.Quotas.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Quotas;

/// <summary>Refuses a policy that matches a gRPC method the gateway does not serve (a typo would silently never apply).</summary>
public sealed class GatewayQuotaOptionsValidator : IValidateOptions<QuotaOptions>
{
    private static readonly HashSet<string> Methods =
        [.. GatewayMethods.PublicServices.SelectMany(service => service.Methods).Select(GatewayMethods.Path)];

    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        var errors = options.Policies
            .Where(p => p.Value.Match.TryGetValue("method", out var method) && method != "*" && !Methods.Contains(method))
            .Select(p => $"Quotas:Policies:{p.Key}:Match:method '{p.Value.Match["method"]}' is not a method of the gateway; use a path such as /mesh.v1.Orders/PlaceOrder.")
            .ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
