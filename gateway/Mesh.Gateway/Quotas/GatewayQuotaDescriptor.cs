using Mesh.Gateway.Admission;
using Mesh.Quotas.Configuration;

namespace Mesh.Gateway.Quotas;

/// <summary>
/// A gateway call as policies see it: <c>subject</c> (<c>user:&lt;id&gt;</c>, or <c>ip:&lt;address&gt;</c>
/// before Login), <c>method</c> (the gRPC path), <c>user</c> when authenticated, <c>ip</c>, and
/// <c>metadata.&lt;name&gt;</c> for each request header a policy names.
/// </summary>
public static class GatewayQuotaDescriptor
{
    public const string Scope = "gateway";

    public static QuotaDescriptor Of(HttpContext context, string method, QuotaPolicySet policies)
    {
        var ip = ClientAddress.Of(context);
        var caller = GatewayCaller.Of(context);
        var entries = new List<KeyValuePair<string, string>>(4 + policies.MetadataKeys.Count)
        {
            new("subject", caller is null ? $"ip:{ip}" : $"user:{caller.UserId}"),
            new("method", method),
            new("ip", ip),
        };
        if (caller is not null)
        {
            entries.Add(new("user", caller.UserId));
        }

        foreach (var name in policies.MetadataKeys)
        {
            if (context.Request.Headers.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value))
            {
                entries.Add(new(QuotaPolicySet.MetadataPrefix + name, value.ToString()));
            }
        }

        return new QuotaDescriptor(Scope, entries);
    }
}
