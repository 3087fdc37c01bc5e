using Envoy.Service.Ratelimit.V3;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Quotas;
using Mesh.Sidecar.Apps;
using Mesh.Sidecar.RateLimiting;
using static Envoy.Service.Ratelimit.V3.RateLimitResponse.Types;

namespace Mesh.Sidecar.Grpc;

/// <summary>
/// envoy.service.ratelimit.v3.RateLimitService: Envoy's global rate limit filter calls this. A
/// descriptor is OVER_LIMIT when its bucket lacks tokens; the request is when any descriptor is,
/// or when Redis cannot decide and a matching policy fails closed.
/// </summary>
public sealed class EnvoyRateLimitGrpcService(SidecarRateLimiter limiter) : RateLimitService.RateLimitServiceBase
{
    private static readonly (RateLimit.Types.Unit Unit, double Seconds)[] Units =
    [
        (RateLimit.Types.Unit.Second, 1), (RateLimit.Types.Unit.Minute, 60), (RateLimit.Types.Unit.Hour, 3600), (RateLimit.Types.Unit.Day, 86400),
    ];

    public override async Task<RateLimitResponse> ShouldRateLimit(RateLimitRequest request, ServerCallContext context)
    {
        var descriptors = request.Descriptors
            .Select(d => (IReadOnlyList<KeyValuePair<string, string>>)[.. d.Entries.Select(e => KeyValuePair.Create(e.Key, e.Value))])
            .ToList();
        var check = await limiter.CheckAsync(SidecarCaller.Of(context), request.Domain, descriptors, request.HitsAddend, context.CancellationToken);
        var response = new RateLimitResponse { OverallCode = check.Admitted ? Code.Ok : Code.OverLimit };
        response.Statuses.AddRange(check.DecidingCharge.Select(index => ToStatus(check, index)));
        return response;
    }

    private static DescriptorStatus ToStatus(RateLimitCheck check, int index)
    {
        if (index < 0)
        {
            return new DescriptorStatus { Code = check.Admitted ? Code.Ok : Code.OverLimit };
        }

        var verdict = check.Verdict;
        var policy = verdict.Charges[index].Policy;
        var decision = verdict.Decisions[index];
        var over = verdict.Outcome == QuotaOutcome.FailedClosed || (!decision.Allowed && !policy.Shadow);
        return new DescriptorStatus
        {
            Code = over ? Code.OverLimit : Code.Ok,
            CurrentLimit = ToRateLimit(policy),
            LimitRemaining = (uint)Math.Clamp(Math.Floor(decision.Remaining), 0, uint.MaxValue),
            DurationUntilReset = Duration.FromTimeSpan(decision.ResetAfter),
        };
    }

    /// <summary>A token bucket in Envoy's terms: its refill rate in the smallest unit where it is a whole number of requests.</summary>
    private static RateLimit ToRateLimit(QuotaPolicy policy)
    {
        foreach (var (unit, seconds) in Units)
        {
            var perUnit = policy.RefillPerSecond * seconds;
            if (perUnit >= 1 && Math.Abs(perUnit - Math.Round(perUnit)) < 1e-6)
            {
                return new RateLimit { Name = policy.Name, RequestsPerUnit = (uint)Math.Round(perUnit), Unit = unit };
            }
        }

        return new RateLimit { Name = policy.Name, RequestsPerUnit = (uint)Math.Max(1, Math.Round(policy.RefillPerSecond * 86400)), Unit = RateLimit.Types.Unit.Day };
    }
}
