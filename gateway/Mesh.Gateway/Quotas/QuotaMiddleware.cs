using System.Globalization;
using Mesh.Gateway.Routing;
using Mesh.Quotas;
using Mesh.Quotas.Configuration;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Gateway.Quotas;

/// <summary>
/// Charges every policy that matches the call (or the default) in one decision, by the canonical
/// method the call resolved to; a call without a valid session is charged to its address. Every
/// answer carries the state of the bucket closest to empty; a refusal names the policy that refused.
/// </summary>
public sealed class QuotaMiddleware(RequestDelegate next, IQuotaEngine engine, QuotaPolicySource policies)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var method = GatewayMethod.Of(context);
        var set = policies.Current;
        if (!set.Enabled || method is null || method.Access == MethodAccess.Infrastructure)
        {
            await next(context);
            return;
        }

        var charges = new List<QuotaCharge>(2);
        set.Resolve(GatewayQuotaDescriptor.Of(context, method.Path, set), hits: 1, charges);
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
            : new QuotaExceededException(verdict.Charges[deciding].Policy, verdict.Decisions[deciding], method.Path).ToStatus();
        await GrpcErrorResponse.WriteAsync(context, failure);
    }

    private static void WriteRateLimitHeaders(HttpResponse response, QuotaDecision decision)
    {
        response.Headers["x-ratelimit-limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-remaining"] = Math.Floor(decision.Remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-reset"] = Math.Ceiling(decision.ResetAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }
}
