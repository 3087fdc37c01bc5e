using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Mesh.Messaging;

namespace Mesh.Cli.DeadLetters;

/// <summary>One record of a dead-letter topic: the original key, value and headers plus the <c>mesh-dlq-*</c> headers.</summary>
public sealed record DeadLetter(
    string Topic,
    int Partition,
    long Offset,
    DateTimeOffset Timestamp,
    byte[]? Key,
    byte[]? Value,
    IReadOnlyList<KeyValuePair<string, byte[]?>> Headers)
{
    /// <summary>The prefix of the headers a consumer adds when it dead-letters a record.</summary>
    public const string DeadLetterHeaderPrefix = "mesh-dlq-";

    /// <summary><c>&lt;topic&gt;/&lt;partition&gt;/&lt;offset&gt;</c>, how the CLI and the redrive header name a record.</summary>
    public string Position => Format(Topic, Partition, Offset);

    public string? KeyText => Key is null ? null : Encoding.UTF8.GetString(Key);

    public string? MessageType => Header(MessageHeaders.MessageType);

    public string? Reason => Header(DeadLetterHeaders.Reason);

    public string? ConsumerGroup => Header(DeadLetterHeaders.ConsumerGroup);

    /// <summary>Set when the dead letter was written without the original value (too large).</summary>
    public string? ValueDropped => Header(DeadLetterHeaders.ValueDropped);

    /// <summary>Where the record came from: its header, else the dead-letter topic's name without <c>.dlq</c>.</summary>
    public string SourceTopic =>
        Header(DeadLetterHeaders.SourceTopic) is { Length: > 0 } topic ? topic
        : Topic.EndsWith(Mesh.Contracts.Topics.DeadLetterSuffix, StringComparison.Ordinal) ? Topic[..^Mesh.Contracts.Topics.DeadLetterSuffix.Length]
        : Topic;

    /// <summary>The source partition from its header; a dead letter is written to the same partition number, so that is the fallback.</summary>
    public int SourcePartition =>
        int.TryParse(Header(DeadLetterHeaders.SourcePartition), NumberStyles.None, CultureInfo.InvariantCulture, out var partition) ? partition : Partition;

    /// <summary>The original record's position, when the headers name it; dead letters of one record by several groups share it.</summary>
    public string? SourcePosition =>
        Header(DeadLetterHeaders.SourceTopic) is { Length: > 0 } topic
        && Header(DeadLetterHeaders.SourcePartition) is { Length: > 0 } partition
        && Header(DeadLetterHeaders.SourceOffset) is { Length: > 0 } offset
            ? $"{topic}/{partition}/{offset}"
            : null;

    public static string Format(string topic, int partition, long offset) =>
        string.Create(CultureInfo.InvariantCulture, $"{topic}/{partition}/{offset}");

    /// <summary>The last value of a header as UTF-8 text (the last one wins, as for the library).</summary>
    public string? Header(string name)
    {
        for (var i = Headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Headers[i].Key, name, StringComparison.Ordinal))
            {
                return Encoding.UTF8.GetString(Headers[i].Value ?? []);
            }
        }

        return null;
    }

    /// <summary>
    /// The record to produce back to the source topic: the original key, value and headers without
    /// the dead-letter ones, plus where it was redriven from and when. Earlier redrive headers stay
    /// (the last one is this redrive), so a record redriven more than once shows its history.
    /// </summary>
    public Message<byte[]?, byte[]?> Redrive(DateTimeOffset now)
    {
        var headers = new Headers();
        foreach (var (name, value) in Headers)
        {
            if (!name.StartsWith(DeadLetterHeaderPrefix, StringComparison.Ordinal))
            {
                headers.Add(name, value);
            }
        }

        headers.Add(DeadLetterHeaders.RedrivenFrom, Encoding.UTF8.GetBytes(Position));
        headers.Add(DeadLetterHeaders.RedriveTime, Encoding.UTF8.GetBytes(now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)));
        return new Message<byte[]?, byte[]?> { Key = Key, Value = Value, Headers = headers };
    }

    public static DeadLetter From(ConsumeResult<byte[]?, byte[]?> result) => new(
        result.Topic,
        result.Partition.Value,
        result.Offset.Value,
        result.Message.Timestamp.UtcDateTime,
        result.Message.Key,
        result.Message.Value,
        [.. (result.Message.Headers ?? []).Select(h => new KeyValuePair<string, byte[]?>(h.Key, h.GetValueBytes()))]);
}
