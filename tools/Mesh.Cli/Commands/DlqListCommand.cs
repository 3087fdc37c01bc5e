using System.CommandLine;
using Confluent.Kafka;
using Mesh.Cli.DeadLetters;
using Mesh.Cli.Infrastructure;

namespace Mesh.Cli.Commands;

/// <summary><c>dlq list [--json]</c>: every dead-letter topic with its retained and pending dead letters.</summary>
public static class DlqListCommand
{
    public static Command Create(KafkaConnectionOptions connection)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per topic (with each partition's watermarks and cursor), for scripts." };
        var command = new Command(
            "list",
            "Per dead-letter topic: dead letters retained, pending (not redriven yet), the oldest pending one, and the pending ones by reason and by consumer group. " +
            "Reads without joining a group and commits nothing.")
        {
            json,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var settings = DlqCommand.Settings(connection, result, out var exitCode);
            return Task.FromResult(settings is null ? exitCode : Run(settings, result.GetValue(json), cancellationToken));
        });
        return command;
    }

    private static int Run(KafkaSettings settings, bool json, CancellationToken cancellationToken)
    {
        List<DeadLetterSummary> summaries;
        try
        {
            using var log = new DeadLetterLog(settings);
            summaries = [.. DeadLetterTopic.All.Select(topic => DeadLetterSummary.Survey(log, topic, cancellationToken))];
        }
        catch (Exception exception) when (exception is KafkaException or TimeoutException)
        {
            return DlqCommand.Failed(exception);
        }

        if (json)
        {
            ListView.Json(summaries);
        }
        else
        {
            ListView.Table(summaries, TimeProvider.System.GetUtcNow());
        }

        return summaries.Any(s => s.Missing) ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
