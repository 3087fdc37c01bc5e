using System.Collections.Concurrent;

namespace Mesh.LockTests.Infrastructure;

/// <summary>Keeps every value of one response header that passes through an HTTP client, in order.</summary>
public sealed class ResponseHeaderRecorder(string header) : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<string> _values = new();

    public IReadOnlyList<string> Values => [.. _values];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues(header, out var values))
        {
            foreach (var value in values)
            {
                _values.Enqueue(value);
            }
        }

        return response;
    }
}
