using Mesh.Cli.Infrastructure;
using Spectre.Console;

namespace Mesh.Cli.DeadLetters;

/// <summary>
/// How <c>dlq redrive</c> shows its plan, its progress (a Spectre progress bar on a terminal, one
/// line per dead letter otherwise, and always for a dry run) and its summary.
/// </summary>
public sealed class RedriveView(DeadLetterTopic topic, bool dryRun)
{
    /// <summary>Says, before anything is produced, what each partition's range means.</summary>
    public void Plan(IReadOnlyList<PartitionPlan> plans)
    {
        AnsiConsole.MarkupLineInterpolated(
            $"{(dryRun ? "Dry run: would redrive" : "Redriving")} [bold]{topic.Name}[/] to [bold]{topic.SourceTopic}[/] (the source topic each dead letter names).");
        foreach (var plan in plans)
        {
            var where = $"{plan.State.Topic}/{plan.State.Partition}";
            if (!plan.Gone.IsEmpty)
            {
                AnsiConsole.MarkupLineInterpolated($"  {where}: offsets {plan.Gone} are no longer in the log (retention); it starts at {plan.State.Low}.");
            }

            if (!plan.AlreadyHandled.IsEmpty)
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"  {where}: offsets {plan.AlreadyHandled} are below the redrive cursor ({plan.State.Cursor}): redriven or passed over before, [bold]not redriven again[/].");
            }

            if (!plan.PassedOver.IsEmpty)
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"  [yellow]{where}: passing over offsets {plan.PassedOver} ({plan.PassedOver.Count} dead letter(s)) without redriving them[/]: --from is above the cursor ({plan.State.Cursor}). They stay readable: mesh dlq show {topic.Name} --partition {plan.State.Partition} --offset {plan.PassedOver.From}");
            }

            if (plan.Redrive.IsEmpty && plan.AlreadyHandled.IsEmpty && plan.Gone.IsEmpty)
            {
                AnsiConsole.MarkupLineInterpolated($"  {where}: nothing pending (cursor {plan.State.Cursor}, log end {plan.State.High}).");
            }
        }
    }

    public async Task<IReadOnlyList<PartitionOutcome>> ProgressAsync(Func<IRedriveObserver, Task<IReadOnlyList<PartitionOutcome>>> run)
    {
        if (dryRun || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await run(new LineObserver());
        }

        IReadOnlyList<PartitionOutcome> outcomes = [];
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context => outcomes = await run(new ProgressObserver(context)));
        return outcomes;
    }

    /// <summary>The summary table and what to do next; returns the exit code.</summary>
    public int Summary(IReadOnlyList<PartitionPlan> plans, IReadOnlyList<PartitionOutcome> outcomes)
    {
        var table = new Table().AddColumns("partition", dryRun ? "cursor (would be)" : "cursor", dryRun ? "would redrive" : "redriven", "passed over", "not again", "same source", "result");
        var failed = outcomes.FirstOrDefault(o => !o.Succeeded);
        foreach (var plan in plans)
        {
            var outcome = outcomes.FirstOrDefault(o => o.Plan == plan);
            var cursorAfter = dryRun ? plan.CursorAfter : outcome?.CursorAfter ?? plan.State.Cursor;
            var passed = !plan.PassedOver.IsEmpty && cursorAfter > plan.PassedOver.To ? plan.PassedOver.Count : 0;
            table.AddRow(
                Number(plan.State.Partition),
                cursorAfter == plan.State.Cursor ? Number(cursorAfter) : $"{Number(plan.State.Cursor)} → {Number(cursorAfter)}",
                Number(outcome?.Redriven ?? 0),
                Number(passed),
                Number(plan.AlreadyHandled.Count),
                Number(outcome?.SameSourceRecord ?? 0),
                Result(plan, outcome, failed));
        }

        AnsiConsole.Write(table);
        var redriven = outcomes.Sum(o => o.Redriven);
        if (dryRun)
        {
            AnsiConsole.MarkupLineInterpolated($"Dry run: {redriven} dead letter(s) would be redriven; nothing was produced and no cursor moved.");
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"Redrove {redriven} dead letter(s) to {topic.SourceTopic}.");
        }

        if (failed is null)
        {
            return ExitCodes.Ok;
        }

        var where = $"{failed.Plan.State.Topic}/{failed.Plan.State.Partition}";
        AnsiConsole.MarkupLineInterpolated($"[red]{(dryRun ? "A redrive would stop" : "Stopped")} at {where}:[/] {failed.Failure}");
        if (!dryRun)
        {
            AnsiConsole.MarkupLineInterpolated($"The cursor of {where} is at {failed.CursorAfter}: everything below it was persisted on {topic.SourceTopic}; the next redrive starts there.");
        }

        if (failed.ProducedNotRecorded > 0)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[yellow]{failed.ProducedNotRecorded} dead letter(s) after that point were produced too but are not recorded: the next redrive produces them again (consumers apply an event once, so the copies change nothing).[/]");
        }

        return ExitCodes.Failed;
    }

    private string Result(PartitionPlan plan, PartitionOutcome? outcome, PartitionOutcome? failed) => outcome switch
    {
        null when plan.Redrive.IsEmpty => "nothing",
        null when failed is not null => "[grey]not attempted[/]",
        null => "",
        { Succeeded: true } => dryRun ? "[green]ok[/]" : "[green]done[/]",
        _ => "[red]failed[/]",
    };

    private static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Describe(DeadLetter letter) =>
        $"key {letter.KeyText ?? "(null)"}, {letter.MessageType ?? "no message-type"}, {letter.Reason ?? "no reason"}";

    /// <summary>One line per dead letter: what a script, a log or a dry run wants.</summary>
    private sealed class LineObserver : IRedriveObserver
    {
        public void Starting(PartitionPlan plan) =>
            AnsiConsole.MarkupLineInterpolated($"{plan.State.Topic}/{plan.State.Partition}: offsets {plan.Redrive} ({plan.Redrive.Count})");

        public void Handled(DeadLetter letter, RedriveStep step, string detail)
        {
            var verb = step switch
            {
                RedriveStep.Redriven => "redriven",
                RedriveStep.WouldRedrive => "would redrive",
                _ => "skipped",
            };
            AnsiConsole.MarkupLineInterpolated($"  {verb} {letter.Position} {detail} ({Describe(letter)})");
        }

        public void Missing(string topic, int partition, OffsetRange offsets) =>
            AnsiConsole.MarkupLineInterpolated($"  [yellow]{topic}/{partition} offsets {offsets} were no longer in the log (retention) when read[/]");

        public void Committed(string topic, int partition, long cursor) =>
            AnsiConsole.MarkupLineInterpolated($"  cursor of {topic}/{partition} committed at {cursor}");
    }

    /// <summary>A bar per partition, for a terminal.</summary>
    private sealed class ProgressObserver(ProgressContext context) : IRedriveObserver
    {
        private readonly Dictionary<int, ProgressTask> _tasks = [];

        public void Starting(PartitionPlan plan) =>
            _tasks[plan.State.Partition] = context.AddTask($"{plan.State.Topic}/{plan.State.Partition}", maxValue: Math.Max(1, plan.Redrive.Count));

        public void Handled(DeadLetter letter, RedriveStep step, string detail)
        {
            if (_tasks.TryGetValue(letter.Partition, out var task))
            {
                task.Increment(1);
            }
        }

        public void Missing(string topic, int partition, OffsetRange offsets)
        {
            if (_tasks.TryGetValue(partition, out var task))
            {
                task.Increment(offsets.Count);
            }

            AnsiConsole.MarkupLineInterpolated($"[yellow]{topic}/{partition} offsets {offsets} were no longer in the log (retention) when read[/]");
        }

        public void Committed(string topic, int partition, long cursor)
        {
            if (_tasks.TryGetValue(partition, out var task))
            {
                task.Description = $"{topic}/{partition} (cursor {cursor})";
            }
        }
    }
}
