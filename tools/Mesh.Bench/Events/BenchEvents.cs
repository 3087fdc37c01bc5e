using Confluent.Kafka;
using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;

namespace Mesh.Bench.Events;

/// <summary>
/// The one event every phase sends: an OrderPlaced with two lines (about 120 bytes), keyed by one
/// of 1 024 orders so that all partitions get records. The raw clients send the very bytes,
/// key and <c>message-type</c> header the library sends, so both sides move the same records.
/// </summary>
public static class BenchEvents
{
    public const int Keys = 1024;

    public static readonly EventContract Contract = EventContracts.For<OrderPlaced>();

    private static readonly byte[] MessageType = System.Text.Encoding.UTF8.GetBytes(Contract.MessageType);

    public static OrderPlaced Create(long sequence) => new()
    {
        EventId = $"bench-{sequence:D10}",
        OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(1_800_000_000)),
        OrderId = $"order-{sequence % Keys:D6}",
        UserId = $"user-{sequence % 97:D4}",
        IdempotencyKey = $"key-{sequence % Keys:D6}",
        Lines =
        {
            new OrderPlacedLine { Sku = "SKU-0001", Quantity = 2, UnitPriceCents = 1_250 },
            new OrderPlacedLine { Sku = "SKU-0042", Quantity = 1, UnitPriceCents = 9_990 },
        },
        TotalCents = 12_490,
    };

    /// <summary>What a hand-written producer would send for the event: same key, payload and header.</summary>
    public static Message<string, byte[]> RawMessage(OrderPlaced @event) => new()
    {
        Key = @event.OrderId,
        Value = @event.ToByteArray(),
        Headers = new Headers { { MessageHeaders.MessageType, MessageType } },
    };

    public static int PayloadSize => Create(0).CalculateSize();
}
