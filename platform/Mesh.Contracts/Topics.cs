namespace Mesh.Contracts;

/// <summary>
/// Topic names. The one convention: <c>mesh.&lt;producing service&gt;.&lt;event name in kebab case&gt;</c>,
/// one topic per event type, and its dead-letter topic <c>&lt;topic&gt;.dlq</c> with the same
/// partition count. The producer owns the topic; consumers depend on this contract, never on the
/// producer's code.
/// </summary>
public static class Topics
{
    public const string OrderPlaced = "mesh.orders.order-placed";
    public const string OrderConfirmed = "mesh.orders.order-confirmed";
    public const string OrderRejected = "mesh.orders.order-rejected";
    public const string OrderCancelled = "mesh.orders.order-cancelled";
    public const string CreditReserved = "mesh.users.credit-reserved";
    public const string CreditRejected = "mesh.users.credit-rejected";
    public const string CreditReleased = "mesh.users.credit-released";

    /// <summary>The suffix of every dead-letter topic.</summary>
    public const string DeadLetterSuffix = ".dlq";

    /// <summary>
    /// The consumer group whose committed offset on each dead-letter partition marks how far dead
    /// letters were redriven (<c>mesh dlq redrive</c>); it never consumes anything else.
    /// </summary>
    public const string RedriveGroup = "mesh-dlq-redrive";

    /// <summary>The dead-letter topic of <paramref name="topic"/>.</summary>
    public static string DeadLetter(string topic) => topic + DeadLetterSuffix;
}
