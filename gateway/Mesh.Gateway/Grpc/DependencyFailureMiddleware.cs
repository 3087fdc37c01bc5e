using Mesh.ServiceDefaults.Errors;
using StackExchange.Redis;

namespace Mesh.Gateway.Grpc;

/// <summary>
/// Redis down while authenticating or charging a quota answers UNAVAILABLE with RetryInfo, never a
/// bare HTTP 500: the call was not forwarded, so the client may retry it safely.
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
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable while admitting {Path}")]
    private partial void LogRedisDown(Exception exception, string path);
}
