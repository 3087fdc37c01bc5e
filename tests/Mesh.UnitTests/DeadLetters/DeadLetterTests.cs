using System.Text;
using Google.Protobuf;
using Mesh.Cli.DeadLetters;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;

namespace Mesh.UnitTests.DeadLetters;

public sealed class DeadLetterTests
{
    private const string Topic = "mesh.orders.order-placed.dlq";

    [Fact]
    public void Redrive_DeadLetter_KeepsKeyValueAndOriginalHeadersDropsDeadLetterHeadersAddsWhereFromAndWhen()
    {
        var letter = Letter(
            ("message-type", "mesh.events.v1.OrderPlaced"), ("traceparent", "00-a-b-01"), (DeadLetterHeaders.Reason, "handler-failed"),
            (DeadLetterHeaders.SourceTopic, "mesh.orders.order-placed"), ("baggage", "k=v"), (DeadLetterHeaders.Attempts, "10"));
        var now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

        var message = letter.Redrive(now);

        Assert.Equal(letter.Key, message.Key);
        Assert.Equal(letter.Value, message.Value);
        Assert.Equal(
            [
                ("message-type", "mesh.events.v1.OrderPlaced"), ("traceparent", "00-a-b-01"), ("baggage", "k=v"),
                (DeadLetterHeaders.RedrivenFrom, $"{Topic}/1/42"), (DeadLetterHeaders.RedriveTime, "2026-11-30T12:00:00.0000000Z"),
            ],
            message.Headers.Select(h => (h.Key, Encoding.UTF8.GetString(h.GetValueBytes()))));
    }

    [Fact]
    public void Redrive_RedrivenBefore_KeepsTheEarlierRedriveHeadersBeforeThisOne()
    {
        var letter = Letter((DeadLetterHeaders.RedrivenFrom, $"{Topic}/1/7"), (DeadLetterHeaders.Reason, "handler-failed"));

        var message = letter.Redrive(DateTimeOffset.UnixEpoch);

        Assert.Equal([$"{Topic}/1/7", $"{Topic}/1/42"], message.Headers.Where(h => h.Key == DeadLetterHeaders.RedrivenFrom).Select(h => Encoding.UTF8.GetString(h.GetValueBytes())));
    }

    [Fact]
    public void SourceTopicAndPartition_HeadersMissing_TheDeadLetterTopicWithoutDlqAndTheSamePartition()
    {
        var letter = Letter(("message-type", "mesh.events.v1.OrderPlaced"));

        Assert.Equal("mesh.orders.order-placed", letter.SourceTopic);
        Assert.Equal(1, letter.SourcePartition);
        Assert.Null(letter.SourcePosition);
    }

    [Fact]
    public void SourceTopicAndPartition_FromHeaders_WhatTheHeadersSay()
    {
        var letter = Letter(
            (DeadLetterHeaders.SourceTopic, "mesh.orders.elsewhere"), (DeadLetterHeaders.SourcePartition, "2"), (DeadLetterHeaders.SourceOffset, "99"));

        Assert.Equal("mesh.orders.elsewhere", letter.SourceTopic);
        Assert.Equal(2, letter.SourcePartition);
        Assert.Equal("mesh.orders.elsewhere/2/99", letter.SourcePosition);
    }

    [Fact]
    public void Decode_OrderPlaced_JsonWithDefaultValuesToo()
    {
        var order = new OrderPlaced { EventId = "e-1", OrderId = "o-1", UserId = "u-1" };
        var letter = Letter(("message-type", OrderPlaced.Descriptor.FullName)) with { Value = order.ToByteArray() };

        var payload = PayloadDecoder.Decode(letter);

        Assert.True(payload.IsDecoded, payload.Problem);
        Assert.Contains("\"orderId\": \"o-1\"", payload.Json, StringComparison.Ordinal);
        Assert.Contains("\"totalCents\": \"0\"", payload.Json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "no message-type header")]
    [InlineData("mesh.events.v1.NoSuchEvent", "no event type")]
    [InlineData("mesh.events.v1.OrderPlaced", "not a valid mesh.events.v1.OrderPlaced")]
    public void Decode_Undecodable_SaysWhy(string? messageType, string problem)
    {
        var letter = (messageType is null ? Letter() : Letter(("message-type", messageType))) with { Value = [0xFF, 0xFF, 0xFF, 0x01] };

        var payload = PayloadDecoder.Decode(letter);

        Assert.False(payload.IsDecoded);
        Assert.Contains(problem, payload.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ValueDropped_SaysWhereTheOriginalIs()
    {
        var letter = Letter(("message-type", OrderPlaced.Descriptor.FullName), (DeadLetterHeaders.ValueDropped, "1500 bytes; MsgSizeTooLarge")) with { Value = null };

        var payload = PayloadDecoder.Decode(letter);

        Assert.Contains("without its value (1500 bytes; MsgSizeTooLarge)", payload.Problem, StringComparison.Ordinal);
    }

    private static DeadLetter Letter(params (string Name, string Value)[] headers) => new(
        Topic, 1, 42, DateTimeOffset.UnixEpoch, Encoding.UTF8.GetBytes("o-1"), [0x0A, 0x01, 0x78],
        [.. headers.Select(h => new KeyValuePair<string, byte[]?>(h.Name, Encoding.UTF8.GetBytes(h.Value)))]);
}
