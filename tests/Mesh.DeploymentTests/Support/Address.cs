namespace Mesh.DeploymentTests.Support;

/// <summary>
/// Host and port of a configured address: a URL (the first of a <c>;</c> list, as <c>Urls</c> holds),
/// <c>host:port</c>, or the first server of a list or connection string.
/// </summary>
public sealed record Address(string Host, int? Port)
{
    public static Address? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            var url = value.Split(';')[0].Trim().Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? new Address(uri.Host, uri.Port) : null;
        }

        // "host:port,..." and StackExchange.Redis strings ("host:port,password=..."): the first server.
        var first = value.Split(',')[0].Trim();
        var colon = first.LastIndexOf(':');
        return colon > 0 && int.TryParse(first[(colon + 1)..], out var port)
            ? new Address(first[..colon], port)
            : new Address(first, null);
    }

    public bool IsLoopback => Host is "127.0.0.1" or "localhost" or "::1" or "[::1]";
}
