using System.Globalization;
using Mesh.Coordination.Quotas;
using Mesh.Coordination.Quotas.Configuration;
using Mesh.Gateway.Grpc;
using Mesh.Gateway.Routing;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Gateway.Quotas;

/// <summary>
/// Charges every policy that matches the call (or the default) in one decision. Every answer
/// carries the state of the bucket closest to empty; a refusal names the policy that refused.
/// </summary>
public sealed class QuotaMiddleware(RequestDelegate next, IQuotaEngine engine, QuotaPolicySource policies)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var set = policies.Current;
        if (!set.Enabled || GatewayRoutes.IsInfrastructure(path))
        {
            await next(context);
            return;
        }

        var charges = new List<QuotaCharge>(2);
        set.Resolve(GatewayQuotaDescriptor.Of(context, path, set), hits: 1, charges);
        var verdict = await engine.DecideAsync(charges, context.RequestAborted);
        var deciding = verdict.Deciding;
        if (deciding >= 0 && verdict.Outcome is QuotaOutcome.Allowed or QuotaOutcome.Rejected)
        {
            WriteRateLimitHeaders(context.Response, verdict.Decisions[deciding]);
        }

        if (verdict.Admitted)
        {
            await next(context);
            return;
        }

        var failure = verdict.Outcome == QuotaOutcome.FailedClosed
            ? new UnavailableException("Quotas cannot be checked right now; try again shortly.", verdict.Decisions[deciding].RetryAfter).ToStatus()
            : new QuotaExceededException(verdict.Charges[deciding].Policy, verdict.Decisions[deciding], path).ToStatus();
        await GrpcErrorResponse.WriteAsync(context, failure);
    }

    private static void WriteRateLimitHeaders(HttpResponse response, QuotaDecision decision)
    {
        response.Headers["x-ratelimit-limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-remaining"] = Math.Floor(decision.Remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-reset"] = Math.Ceiling(decision.ResetAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }
}
