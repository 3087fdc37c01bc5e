using System.CommandLine;
using Confluent.Kafka;
using Mesh.Cli.DeadLetters;
using Mesh.Cli.Infrastructure;
using Mesh.Contracts;
using Mesh.Messaging;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>dlq redrive &lt;topic&gt; [--partition P] [--from N] [--to N] [--dry-run]</c>: produces dead letters
/// back to their source topics and records how far it got in the redrive cursor, so that a second
/// run does not repeat them.
/// </summary>
public static class DlqRedriveCommand
{
    public static Command Create(KafkaConnectionOptions connection)
    {
        var topic = DlqCommand.TopicArgument();
        var partition = DlqCommand.NotNegative(new Option<int?>("--partition") { Description = "Only this partition; default: every partition." });
        var from = DlqCommand.NotNegative(new Option<long?>("--from")
        {
            Description = "First offset to redrive (needs --partition); default: the cursor. Below the cursor nothing is redriven again; " +
                "above it, the dead letters in between are passed over: the cursor moves past them without redriving them.",
        });
        var to = DlqCommand.NotNegative(new Option<long?>("--to") { Description = "Last offset to redrive, included (needs --partition); default: the last dead letter." });
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be redriven; produce nothing, commit nothing." };
        var command = new Command(
            "redrive",
            $"Produce each pending dead letter back to its source topic ({DeadLetterHeaders.SourceTopic}, else the topic without {Topics.DeadLetterSuffix}) and partition, " +
            $"with its key, value and headers minus the {DeadLetter.DeadLetterHeaderPrefix}* ones, plus {DeadLetterHeaders.RedrivenFrom} and {DeadLetterHeaders.RedriveTime}. " +
            $"Idempotent producer, acks=all. The cursor (group {Topics.RedriveGroup}) moves only past dead letters whose produce was persisted. " +
            "Exit code 0 done, 1 failed (the cursor stays at the first dead letter not redriven), 2 usage.")
        {
            topic, partition, from, to, dryRun,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(from) is not null || result.GetValue(to) is not null) && result.GetValue(partition) is null)
            {
                result.AddError("--from and --to need --partition: offsets are per partition.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = DlqCommand.Settings(connection, result, out var exitCode);
            var deadLetters = DlqCommand.Topic(result.GetValue(topic)!);
            if (settings is null || deadLetters is null)
            {
                return deadLetters is null ? ExitCodes.Usage : exitCode;
            }

            var request = new RedriveRequest(deadLetters, result.GetValue(partition), result.GetValue(from), result.GetValue(to), result.GetValue(dryRun));
            return await RunAsync(settings, request, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(KafkaSettings settings, RedriveRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var log = new DeadLetterLog(settings);
            var partitions = DlqCommand.Partitions(log, request.Topic, request.Partition, out var exitCode);
            if (partitions is null)
            {
                return exitCode;
            }

            var plans = new List<PartitionPlan>();
            foreach (var state in log.States(request.Topic.Name, partitions))
            {
                var (plan, problem) = PartitionPlan.For(state, request.From, request.To);
                if (plan is null)
                {
                    DlqCommand.Error(problem!);
                    return ExitCodes.Usage;
                }

                plans.Add(plan);
            }

            var view = new RedriveView(request.Topic, request.DryRun);
            view.Plan(plans);
            var outcomes = await view.ProgressAsync(observer =>
                new Redriver(log, settings, TimeProvider.System, observer).RunAsync(plans, request.DryRun, cancellationToken));
            return view.Summary(plans, outcomes);
        }
        catch (Exception exception) when (exception is KafkaException or TimeoutException)
        {
            return DlqCommand.Failed(exception);
        }
    }

    private sealed record RedriveRequest(DeadLetterTopic Topic, int? Partition, long? From, long? To, bool DryRun);
}
