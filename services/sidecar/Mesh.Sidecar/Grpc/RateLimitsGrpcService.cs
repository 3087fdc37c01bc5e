using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Contracts.Sidecar.V1;
using Mesh.Quotas;
using Mesh.Sidecar.Apps;
using Mesh.Sidecar.RateLimiting;

namespace Mesh.Sidecar.Grpc;

/// <summary>mesh.sidecar.v1.RateLimits: the engine's own answer, for Mesh's callers in any language.</summary>
public sealed class RateLimitsGrpcService(SidecarRateLimiter limiter) : RateLimits.RateLimitsBase
{
    public override async Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var descriptors = request.Descriptors
            .Select(d => (IReadOnlyList<KeyValuePair<string, string>>)[.. d.Entries.Select(e => KeyValuePair.Create(e.Key, e.Value))])
            .ToList();
        var check = await limiter.CheckAsync(SidecarCaller.Of(context), request.Domain, descriptors, request.Hits, context.CancellationToken);
        var response = new CheckResponse { Allowed = check.Admitted, Outcome = ToOutcome(check.Verdict.Outcome) };
        response.Results.AddRange(check.DecidingCharge.Select(index => ToResult(check.Verdict, index)));
        return response;
    }

    private static CheckResponse.Types.DescriptorResult ToResult(QuotaVerdict verdict, int index)
    {
        if (index < 0)
        {
            return new CheckResponse.Types.DescriptorResult { Allowed = true, RetryAfter = new Duration(), ResetAfter = new Duration() };
        }

        var policy = verdict.Charges[index].Policy;
        var decision = verdict.Decisions[index];
        return new CheckResponse.Types.DescriptorResult
        {
            Allowed = decision.Allowed,
            Policy = policy.Name,
            Limit = decision.Limit,
            Remaining = decision.Remaining,
            RetryAfter = Duration.FromTimeSpan(decision.RetryAfter),
            ResetAfter = Duration.FromTimeSpan(decision.ResetAfter),
            Shadow = policy.Shadow,
        };
    }

    private static CheckResponse.Types.Outcome ToOutcome(QuotaOutcome outcome) => outcome switch
    {
        QuotaOutcome.Allowed => CheckResponse.Types.Outcome.Allowed,
        QuotaOutcome.Rejected => CheckResponse.Types.Outcome.Rejected,
        QuotaOutcome.FailedOpen => CheckResponse.Types.Outcome.FailedOpen,
        _ => CheckResponse.Types.Outcome.FailedClosed,
    };
}
