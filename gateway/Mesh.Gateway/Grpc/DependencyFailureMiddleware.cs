using Mesh.ServiceDefaults.Errors;
using Mesh.ServiceDefaults.Redis;
using StackExchange.Redis;

namespace Mesh.Gateway.Grpc;

/// <summary>
/// Redis down while authenticating or charging a quota answers UNAVAILABLE with RetryInfo, never a
/// bare HTTP 500: the call was not forwarded, so the client may retry it safely. So does a Redis at
/// its memory limit, which refuses the session's sliding expiry (a write) under noeviction.
/// </summary>
public sealed partial class DependencyFailureMiddleware(RequestDelegate next, ILogger<DependencyFailureMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException && !context.Response.HasStarted)
        {
            LogRedisDown(exception, context.Request.Path.Value ?? "");
            var failure = new UnavailableException("The gateway cannot reach its session and quota store; retry later.", TimeSpan.FromSeconds(1));
            await GrpcErrorResponse.WriteAsync(context, failure.ToStatus());
        }
        catch (Exception exception) when (RedisOutOfMemory.Is(exception) && !context.Response.HasStarted)
        {
            LogRedisFull(exception, context.Request.Path.Value ?? "");
            await GrpcErrorResponse.WriteAsync(context, new StoreFullException().ToStatus());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable while admitting {Path}")]
    private partial void LogRedisDown(Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis refused a write while admitting {Path}: it is at maxmemory (noeviction)")]
    private partial void LogRedisFull(Exception exception, string path);
}
