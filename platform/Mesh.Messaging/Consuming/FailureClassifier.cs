using System.Net.Sockets;
using Confluent.Kafka;
using Grpc.Core;

namespace Mesh.Messaging.Consuming;

/// <summary>
/// Tells a handler's transient failures (a dependency unreachable or timing out: retried for as
/// long as it lasts) and rejections (<see cref="EventRejectedException"/>: dead-lettered at once)
/// from the rest (a bug, say: retried up to Kafka:HandlerRetry:MaxAttempts, then dead-lettered).
/// It looks at the thrown exception and everything inside it, since handlers and client libraries
/// wrap what went wrong: a rejection anywhere wins, then any transient exception.
/// </summary>
internal sealed class FailureClassifier(IEnumerable<TransientFailureRule> rules)
{
    // Far more than real wrapping needs; bounds a pathological exception graph.
    private const int MaxExceptions = 32;

    private readonly TransientFailureRule[] _rules = [.. rules];

    public FailureClassification Classify(Exception failure)
    {
        var found = Unwrap(failure);
        if (found.OfType<EventRejectedException>().FirstOrDefault() is { } rejected)
        {
            return new FailureClassification(FailureKind.Rejected, rejected);
        }

        return found.FirstOrDefault(IsTransient) is { } transient
            ? new FailureClassification(FailureKind.Transient, transient)
            : new FailureClassification(FailureKind.Unclassified, failure);
    }

    /// <summary>
    /// The library's own world. Kafka errors are transient unless fatal (the client is unusable;
    /// the application stops anyway) or a refusal that producing again cannot cure; a publish that
    /// failed for such a refusal carries it as its inner exception.
    /// </summary>
    private static bool IsTransientByDefault(Exception exception) => exception switch
    {
        EventPublishException publish => publish.InnerException is not KafkaException kafka || Retriable(kafka.Error),
        KafkaException kafka => Retriable(kafka.Error),
        TimeoutException => true,
        SocketException => true,
        IOException io => FromNetworking(io),
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded,
        _ => false,
    };

    private bool IsTransient(Exception exception) =>
        IsTransientByDefault(exception) || _rules.Any(rule => rule.IsTransient(exception));

    private static bool Retriable(Error error) => !error.IsFatal && !KafkaErrors.RefusedForGood(error.Code);

    // A full disk or a missing file throws IOException too; only the network's are transient. A
    // network stream's own IOException (SslStream's "unexpected EOF", say) often has no inner
    // SocketException, so where it was thrown tells.
    private static bool FromNetworking(IOException exception) =>
        IsNetworking(exception.GetType()) || (exception.TargetSite?.DeclaringType is { } thrower && IsNetworking(thrower));

    private static bool IsNetworking(Type type) => type.Namespace?.StartsWith("System.Net", StringComparison.Ordinal) == true;

    /// <summary>The exception and, breadth first, its inner exceptions and an AggregateException's members.</summary>
    private static List<Exception> Unwrap(Exception failure)
    {
        var found = new List<Exception>();
        var pending = new Queue<Exception>();
        pending.Enqueue(failure);
        while (found.Count < MaxExceptions && pending.TryDequeue(out var next))
        {
            if (found.Contains(next))
            {
                continue;
            }

            found.Add(next);
            if (next is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Enqueue(inner);
                }
            }
            else if (next.InnerException is { } inner)
            {
                pending.Enqueue(inner);
            }
        }

        return found;
    }
}
