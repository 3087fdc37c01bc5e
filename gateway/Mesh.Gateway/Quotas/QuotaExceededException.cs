using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Mesh.Quotas;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Gateway.Quotas;

/// <summary>RESOURCE_EXHAUSTED naming the policy, with RetryInfo (when enough tokens exist again) and QuotaFailure.</summary>
public sealed class QuotaExceededException(QuotaPolicy policy, QuotaDecision decision, string target)
    : MeshException(
        global::Grpc.Core.StatusCode.ResourceExhausted,
        $"Quota '{policy.Name}' exhausted for {target}; retry in {decision.RetryAfter.TotalSeconds:0.###} s.")
{
    public override IEnumerable<IMessage> Details =>
    [
        new RetryInfo { RetryDelay = Duration.FromTimeSpan(decision.RetryAfter) },
        new QuotaFailure
        {
            Violations =
            {
                new QuotaFailure.Types.Violation
                {
                    Subject = policy.Name,
                    Description = $"{policy.Capacity} calls, refilled at {policy.RefillPerSecond}/s",
                },
            },
        },
    ];
}
