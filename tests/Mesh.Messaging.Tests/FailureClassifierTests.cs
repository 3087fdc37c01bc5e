using System.Net.Sockets;
using Confluent.Kafka;
using Grpc.Core;
using Mesh.Messaging.Consuming;

namespace Mesh.Messaging.Tests;

[Trait("Category", "Fast")]
public sealed class FailureClassifierTests
{
    private static readonly FailureClassifier Default = new([]);

    public static TheoryData<Exception> Transient() =>
    [
        new EventPublishException("mesh.events.v1.CreditReserved", "mesh.users.credit-reserved", possiblyPersisted: false, "Local: Message timed out"),
        new KafkaException(new Error(ErrorCode.Local_Transport, "broker down")),
        new KafkaException(new Error(ErrorCode.NotEnoughReplicas)),
        new TimeoutException("no answer"),
        new SocketException((int)SocketError.ConnectionRefused),
        new System.Net.Http.HttpIOException(System.Net.Http.HttpRequestError.ResponseEnded, "The response ended prematurely."),
        new RpcException(new Status(StatusCode.Unavailable, "no healthy upstream")),
        new RpcException(new Status(StatusCode.DeadlineExceeded, "deadline")),
    ];

    public static TheoryData<Exception> Unclassified() =>
    [
        new InvalidOperationException("a bug"),
        new NullReferenceException(),
        new FileNotFoundException("missing.json"),
        new IOException("Disk full"),
        new RpcException(new Status(StatusCode.InvalidArgument, "bad")),
        new KafkaException(new Error(ErrorCode.MsgSizeTooLarge)),
        new KafkaException(new Error(ErrorCode.Local_Fatal, "fenced", isFatal: true)),
        new EventPublishException("t", "topic", possiblyPersisted: false, "too large", new KafkaException(new Error(ErrorCode.MsgSizeTooLarge))),
        new OperationCanceledException(),
    ];

    [Theory]
    [MemberData(nameof(Transient))]
    public void Classify_BuiltInTransient_Transient(Exception failure) =>
        Assert.Equal(FailureKind.Transient, Default.Classify(failure).Kind);

    [Theory]
    [MemberData(nameof(Unclassified))]
    public void Classify_AnythingElse_Unclassified(Exception failure) =>
        Assert.Equal(new FailureClassification(FailureKind.Unclassified, failure), Default.Classify(failure));

    [Fact]
    public void Classify_EventRejected_RejectedWithTheRejection()
    {
        var rejected = new EventRejectedException("no order id");

        Assert.Equal(new FailureClassification(FailureKind.Rejected, rejected), Default.Classify(rejected));
    }

    [Fact]
    public void Classify_TransientInsideWrapperOrAggregate_TransientWithTheInnerCause()
    {
        var timeout = new TimeoutException("inner");
        var wrapped = new InvalidOperationException("outer", new ApplicationException("middle", timeout));
        var aggregate = new AggregateException(new InvalidOperationException("one"), new AggregateException(timeout));

        Assert.Equal(new FailureClassification(FailureKind.Transient, timeout), Default.Classify(wrapped));
        Assert.Equal(new FailureClassification(FailureKind.Transient, timeout), Default.Classify(aggregate));
    }

    [Fact]
    public void Classify_RejectionNextToTransient_RejectionWins()
    {
        var rejected = new EventRejectedException("never applicable");

        var classification = Default.Classify(new AggregateException(new TimeoutException(), rejected));

        Assert.Equal(new FailureClassification(FailureKind.Rejected, rejected), classification);
    }

    [Fact]
    public void Classify_ServiceRules_MatchTheExceptionOrOneInsideIt()
    {
        var classifier = new FailureClassifier([
            new TransientFailureRule(e => e is ApplicationException { Message: "lock held" }),
            new TransientFailureRule(e => e is ArgumentException),
        ]);
        var lockHeld = new ApplicationException("lock held");

        Assert.Equal(new FailureClassification(FailureKind.Transient, lockHeld), classifier.Classify(new InvalidOperationException("x", lockHeld)));
        Assert.Equal(FailureKind.Transient, classifier.Classify(new ArgumentNullException("p")).Kind);
        Assert.Equal(FailureKind.Unclassified, classifier.Classify(new ApplicationException("other")).Kind);
    }

    [Fact]
    public void Classify_SelfReferencingAggregate_Terminates()
    {
        var inner = new InvalidOperationException("x");
        var aggregate = new AggregateException(inner, inner, inner);

        Assert.Equal(FailureKind.Unclassified, Default.Classify(aggregate).Kind);
    }
}
