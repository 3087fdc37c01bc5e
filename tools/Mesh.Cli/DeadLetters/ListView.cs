using System.Globalization;
using System.Text.Json;
using Mesh.Contracts;
using Spectre.Console;

namespace Mesh.Cli.DeadLetters;

/// <summary>How <c>dlq list</c> shows the dead-letter topics: a table, or one JSON object per topic.</summary>
public static class ListView
{
    public static void Table(IReadOnlyList<DeadLetterSummary> summaries, DateTimeOffset now)
    {
        var table = new Table()
            .AddColumn(new TableColumn("dead-letter topic").NoWrap())
            .AddColumns("retained", "pending", "oldest pending", "pending by reason", "pending by group");
        foreach (var summary in summaries)
        {
            if (summary.Missing)
            {
                table.AddRow(Markup.Escape(summary.Topic.Name), "[red]missing[/]", "", "", "", "");
                continue;
            }

            table.AddRow(
                Markup.Escape(summary.Topic.Name),
                Number(summary.Retained),
                summary.Pending > 0 ? $"[yellow]{Number(summary.Pending)}[/]" : "0",
                summary.OldestPending is { } oldest ? Markup.Escape($"{Time(oldest)} ({Age(now - oldest)} ago)") : "",
                Markup.Escape(Counts(summary.Reasons)),
                Markup.Escape(Counts(summary.Groups)));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated(
            $"[grey]Pending: not yet redriven, at or after the cursor of group {Topics.RedriveGroup}. Next: mesh dlq show <topic>, mesh dlq redrive <topic> --dry-run.[/]");
        foreach (var summary in summaries.Where(s => s.Expired > 0))
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[yellow]{summary.Topic.Name}: {summary.Expired} dead letter(s) were deleted by retention before anything redrove them.[/]");
        }

        foreach (var summary in summaries.Where(s => s.Missing))
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[red]{summary.Topic.Name} does not exist: consumers of {summary.Topic.SourceTopic} cannot dead-letter (create it with the source topic's partition count, see k8s/base/topics/topics.txt).[/]");
        }
    }

    public static void Json(IReadOnlyList<DeadLetterSummary> summaries)
    {
        foreach (var summary in summaries)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("topic", summary.Topic.Name);
                json.WriteString("sourceTopic", summary.Topic.SourceTopic);
                json.WriteBoolean("missing", summary.Missing);
                json.WriteNumber("retained", summary.Retained);
                json.WriteNumber("pending", summary.Pending);
                json.WriteNumber("expired", summary.Expired);
                if (summary.OldestPending is { } oldest)
                {
                    json.WriteString("oldestPending", Time(oldest));
                }
                else
                {
                    json.WriteNull("oldestPending");
                }

                WriteCounts(json, "reasons", summary.Reasons);
                WriteCounts(json, "groups", summary.Groups);
                json.WriteStartArray("partitions");
                foreach (var partition in summary.Partitions)
                {
                    json.WriteStartObject();
                    json.WriteNumber("partition", partition.Partition);
                    json.WriteNumber("low", partition.Low);
                    json.WriteNumber("high", partition.High);
                    json.WriteNumber("cursor", partition.Cursor);
                    if (partition.Committed is { } committed)
                    {
                        json.WriteNumber("committed", committed);
                    }
                    else
                    {
                        json.WriteNull("committed");
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }

    /// <summary>ISO 8601 UTC to the millisecond, the way the dead-letter headers write times.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Age(TimeSpan age) => age switch
    {
        { TotalDays: >= 2 } => $"{(int)age.TotalDays}d",
        { TotalHours: >= 2 } => $"{(int)age.TotalHours}h",
        { TotalMinutes: >= 2 } => $"{(int)age.TotalMinutes}m",
        _ => $"{Math.Max(0, (int)age.TotalSeconds)}s",
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Counts(IReadOnlyDictionary<string, long> counts) =>
        string.Join(", ", counts.Select(c => $"{c.Key} {Number(c.Value)}"));

    private static void WriteCounts(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, long> counts)
    {
        json.WriteStartObject(name);
        foreach (var (key, count) in counts)
        {
            json.WriteNumber(key, count);
        }

        json.WriteEndObject();
    }
}
