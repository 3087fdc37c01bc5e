using Grpc.Core;
using Grpc.Core.Interceptors;
using Mesh.ServiceDefaults.Redis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>
/// The one place where failures become gRPC statuses: domain failures keep their code and details,
/// Redis unreachable or full is answered UNAVAILABLE with RetryInfo (nothing was written, a retry
/// is safe); anything unexpected is logged and answered INTERNAL without leaking its message.
/// </summary>
public sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    /// <summary>A connection that failed is retried by the multiplexer about every second.</summary>
    private static readonly TimeSpan DependencyRetryAfter = TimeSpan.FromSeconds(1);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            throw translated;
        }
    }

    private RpcException? Translate(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case MeshException domain:
                return domain.ToRpcException();
            case RpcException:
                return null;
            case RedisConnectionException or RedisTimeoutException:
                LogDependencyDown(exception, context.Method);
                return new UnavailableException("A dependency is unavailable; retry later.", DependencyRetryAfter).ToRpcException();
            case RedisServerException when RedisOutOfMemory.Is(exception):
                LogStoreFull(exception, context.Method);
                return new StoreFullException().ToRpcException();
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
            default:
                LogUnexpected(exception, context.Method);
                return new RpcException(new Status(StatusCode.Internal, "An internal error occurred."));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure in {Method}")]
    private partial void LogUnexpected(Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable in {Method}")]
    private partial void LogDependencyDown(Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis refused a write in {Method}: it is at maxmemory (noeviction)")]
    private partial void LogStoreFull(Exception exception, string method);
}
