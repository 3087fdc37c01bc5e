using System.CommandLine;
using Mesh.Cli.DeadLetters;
using Mesh.Cli.Infrastructure;
using Mesh.Contracts;
using Spectre.Console;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>dlq list|show|redrive</c>: the dead-letter topics of every event contract. The redrive
/// cursor of a dead-letter partition is the committed offset of group
/// <see cref="Topics.RedriveGroup"/>: the first dead letter not yet handled.
/// </summary>
public static class DlqCommand
{
    private const int RedirectedWidth = 200;

    public static Command Create()
    {
        var connection = new KafkaConnectionOptions();
        var command = new Command(
            "dlq",
            $"See, explain and redrive dead letters (<topic>{Topics.DeadLetterSuffix}). The redrive cursor of a dead-letter partition is the committed offset " +
            $"of consumer group {Topics.RedriveGroup}: dead letters below it were redriven (or passed over), the rest are pending.")
        {
            DlqListCommand.Create(connection),
            DlqShowCommand.Create(connection),
            DlqRedriveCommand.Create(connection),
        };
        foreach (var option in connection.All)
        {
            command.Options.Add(option);
        }

        return command;
    }

    /// <summary>The topic argument of show and redrive: a dead-letter topic, or its source topic.</summary>
    public static Argument<string> TopicArgument() => new("topic")
    {
        Description = $"A dead-letter topic, or its source topic (mapped to <topic>{Topics.DeadLetterSuffix}): {DeadLetterTopic.Known}.",
    };

    /// <summary>The Kafka settings, or null with the problem printed and its exit code (usage, or failed when the mesh is not running).</summary>
    public static KafkaSettings? Settings(KafkaConnectionOptions connection, ParseResult result, out int exitCode)
    {
        // Into a file or a pipe Spectre assumes 80 columns and wraps every longer line (topic
        // names, positions, error messages); logs and scripts read whole lines better.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = RedirectedWidth;
        }

        (var settings, var problem, exitCode) = connection.Resolve(result);
        if (problem is not null)
        {
            Error(problem);
        }

        return settings;
    }

    /// <summary>The named topic, or a usage error printed and null.</summary>
    public static DeadLetterTopic? Topic(string name)
    {
        var topic = DeadLetterTopic.Find(name);
        if (topic is null)
        {
            Error($"'{name}' is no dead-letter topic of the mesh, nor a source topic of one. Known: {DeadLetterTopic.Known}.");
        }

        return topic;
    }

    /// <summary>Errors go to standard error, so that --json output stays parseable.</summary>
    public static void Error(string message) => Console.Error.WriteLine($"mesh dlq: {message}");

    /// <summary>A broker failure the command cannot get past: exit 1.</summary>
    public static int Failed(Exception exception)
    {
        Error(exception.Message);
        return ExitCodes.Failed;
    }

    /// <summary>Partitions to work on: all the topic has, or the one given (null and a usage error when it has no such one).</summary>
    public static IReadOnlyList<int>? Partitions(DeadLetterLog log, DeadLetterTopic topic, int? only, out int exitCode)
    {
        exitCode = ExitCodes.Ok;
        var all = log.Partitions(topic.Name);
        if (all is null)
        {
            Error($"{topic.Name} does not exist on this cluster (create it with the partition count of {topic.SourceTopic}).");
            exitCode = ExitCodes.Failed;
            return null;
        }

        if (only is { } partition && !all.Contains(partition))
        {
            Error($"{topic.Name} has no partition {partition}: it has {string.Join(", ", all)}.");
            exitCode = ExitCodes.Usage;
            return null;
        }

        return only is { } one ? [one] : all;
    }

    /// <summary>Validates that a number option is not negative.</summary>
    public static T NotNegative<T>(T option)
        where T : Option
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && long.TryParse(result.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out var value) && value < 0)
            {
                result.AddError($"{option.Name} must not be negative.");
            }
        });
        return option;
    }
}
