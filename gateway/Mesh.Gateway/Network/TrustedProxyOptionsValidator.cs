using System.Net;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Network;

public sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var errors = options.KnownProxies.Where(p => !IPAddress.TryParse(p, out _))
            .Select(p => $"ForwardedHeaders:KnownProxies: '{p}' is not an IP address.")
            .Concat(options.KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _))
                .Select(n => $"ForwardedHeaders:KnownNetworks: '{n}' is not a network in CIDR form (e.g. 10.0.0.0/8)."))
            .ToList();
        if (options.ForwardLimit is < 1 or > 10)
        {
            errors.Add("ForwardedHeaders:ForwardLimit must be 1 to 10.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
