using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.V1;
using Mesh.Identity;

namespace Mesh.Cli.Demo;

/// <summary>The public API of the mesh through the gateway; every call gets a deadline and, once logged in, the bearer token.</summary>
public sealed class MeshClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly TimeSpan _callTimeout;
    private string? _token;

    public MeshClient(Uri gateway, TimeSpan callTimeout, FileInfo? trustBundle = null)
    {
        _channel = trustBundle is null
            ? GrpcChannel.ForAddress(gateway)
            : GrpcChannel.ForAddress(gateway, new GrpcChannelOptions { HttpHandler = Trusting(trustBundle), DisposeHttpClient = true });
        _callTimeout = callTimeout;
        Auth = new Auth.AuthClient(_channel);
        Orders = new Orders.OrdersClient(_channel);
        Notifications = new Notifications.NotificationsClient(_channel);
        Users = new Users.UsersClient(_channel);
    }

    public Auth.AuthClient Auth { get; }

    public Orders.OrdersClient Orders { get; }

    public Notifications.NotificationsClient Notifications { get; }

    public Users.UsersClient Users { get; }

    public void UseSession(Session session) => _token = session.Token;

    /// <summary>A handler that accepts the gateway's certificate when it chains to one of the bundle's CAs (and names the host).</summary>
    private static SocketsHttpHandler Trusting(FileInfo bundle)
    {
        var roots = CustomRoots.Load(bundle.FullName);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => CustomRoots.ValidateServer(certificate, errors, roots);
        return handler;
    }

    /// <summary>Call options with the deadline, the bearer token if any, and the given trace context if any.</summary>
    public CallOptions Call(CancellationToken cancellationToken, TraceParent? trace = null, TimeSpan? timeout = null)
    {
        var headers = new Metadata();
        if (_token is not null)
        {
            headers.Add("authorization", $"Bearer {_token}");
        }

        if (trace is not null)
        {
            headers.Add(TraceParent.HeaderName, trace.Header);
        }

        return new CallOptions(headers, DateTime.UtcNow.Add(timeout ?? _callTimeout), cancellationToken);
    }

    public void Dispose() => _channel.Dispose();
}
