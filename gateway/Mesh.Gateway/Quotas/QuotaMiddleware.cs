using System.Globalization;
using Mesh.Coordination.Quotas;
using Mesh.Gateway.Admission;
using Mesh.Gateway.Grpc;
using Mesh.Gateway.Routing;
using Mesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Quotas;

/// <summary>
/// Charges one token per call from the bucket of (caller, method): the user when authenticated,
/// the client address for Register and Login. Every answer carries the bucket's state.
/// </summary>
public sealed class QuotaMiddleware(RequestDelegate next, ITokenBucket buckets, IOptionsMonitor<QuotaOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var current = options.CurrentValue;
        if (!current.Enabled || GatewayRoutes.IsInfrastructure(path))
        {
            await next(context);
            return;
        }

        var policy = current.DefaultPolicy;
        var decision = await buckets.TryTakeAsync(BucketKey(context, path), policy, cost: 1, context.RequestAborted);
        WriteRateLimitHeaders(context.Response, decision);
        if (decision.Allowed)
        {
            await next(context);
            return;
        }

        await GrpcErrorResponse.WriteAsync(context, new QuotaExceededException(policy, decision, path).ToStatus());
    }

    private static string BucketKey(HttpContext context, string path)
    {
        var subject = GatewayCaller.Of(context) is { } caller
            ? $"user:{caller.UserId}"
            : $"ip:{context.Connection.RemoteIpAddress}";
        return $"quotas:{{{subject}}}:{path}";
    }

    private static void WriteRateLimitHeaders(Microsoft.AspNetCore.Http.HttpResponse response, QuotaDecision decision)
    {
        response.Headers["x-ratelimit-limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-remaining"] = Math.Floor(decision.Remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-reset"] = Math.Ceiling(decision.ResetAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }
}
