using System.CommandLine;
using Confluent.Kafka;
using Mesh.Cli.DeadLetters;
using Mesh.Cli.Infrastructure;

namespace Mesh.Cli.Commands;

/// <summary><c>dlq show &lt;topic&gt; [--partition P] [--offset N] [--limit N] [--pending] [--json]</c>: dead letters, explained.</summary>
public static class DlqShowCommand
{
    public static Command Create(KafkaConnectionOptions connection)
    {
        var topic = DlqCommand.TopicArgument();
        var partition = DlqCommand.NotNegative(new Option<int?>("--partition") { Description = "Only this partition; default: all, one after the other." });
        var offset = DlqCommand.NotNegative(new Option<long?>("--offset") { Description = "Start at this offset (needs --partition); default: the oldest retained dead letter." });
        var limit = new Option<int>("--limit") { Description = "Show at most this many dead letters.", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--limit must be at least 1.");
            }
        });
        var pending = new Option<bool>("--pending") { Description = "Only dead letters not redriven yet (from the redrive cursor on)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per dead letter (headers, decoded payload or base64), for scripts." };
        var command = new Command(
            "show",
            "Each dead letter with its position, time and key, its mesh-dlq-* headers in a table, its other headers, and its payload decoded as JSON " +
            "through the protobuf type of its message-type header (or as bytes, with the reason it could not be decoded).")
        {
            topic, partition, offset, limit, pending, json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(offset) is not null && result.GetValue(partition) is null)
            {
                result.AddError("--offset needs --partition: offsets are per partition.");
            }
        });
        command.SetAction((result, cancellationToken) =>
        {
            var settings = DlqCommand.Settings(connection, result, out var exitCode);
            var deadLetters = DlqCommand.Topic(result.GetValue(topic)!);
            if (settings is null || deadLetters is null)
            {
                return Task.FromResult(deadLetters is null ? ExitCodes.Usage : exitCode);
            }

            var request = new ShowRequest(deadLetters, result.GetValue(partition), result.GetValue(offset), result.GetValue(limit), result.GetValue(pending), result.GetValue(json));
            return Task.FromResult(Run(settings, request, cancellationToken));
        });
        return command;
    }

    private static int Run(KafkaSettings settings, ShowRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var log = new DeadLetterLog(settings);
            var partitions = DlqCommand.Partitions(log, request.Topic, request.Partition, out var exitCode);
            if (partitions is null)
            {
                return exitCode;
            }

            var states = log.States(request.Topic.Name, partitions).ToDictionary(s => s.Partition);
            var ranges = states.Values.Select(s => new ReadRange(
                s.Topic, s.Partition, request.Offset ?? (request.PendingOnly ? s.Cursor : s.Low), s.High - 1));
            var shown = 0;
            foreach (var letter in log.Read(ranges, cancellationToken).Take(request.Limit))
            {
                var cursor = states[letter.Partition].Cursor;
                if (request.Json)
                {
                    ShowView.Json(letter, cursor);
                }
                else
                {
                    ShowView.Block(letter, cursor);
                }

                shown++;
            }

            if (!request.Json)
            {
                var total = states.Values.Sum(s => s.Retained);
                Console.Out.WriteLine($"{shown} dead letter(s) shown of {total} retained in {request.Topic.Name}{(shown == request.Limit ? $" (--limit {request.Limit})" : "")}.");
            }

            return ExitCodes.Ok;
        }
        catch (Exception exception) when (exception is KafkaException or TimeoutException)
        {
            return DlqCommand.Failed(exception);
        }
    }

    private sealed record ShowRequest(DeadLetterTopic Topic, int? Partition, long? Offset, int Limit, bool PendingOnly, bool Json);
}
