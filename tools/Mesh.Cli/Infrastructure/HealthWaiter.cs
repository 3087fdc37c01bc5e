using Spectre.Console;

namespace Mesh.Cli.Infrastructure;

/// <summary>Polls health probes until all are SERVING or time runs out, showing each one's state.</summary>
public static class HealthWaiter
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static async Task<int> WaitAsync(List<HealthProbe> probes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var states = new string[probes.Count];

        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new SpinnerColumn { CompletedText = "[green]✓[/]" }, new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
                .StartAsync(context => Task.WhenAll(probes.Select((probe, i) =>
                {
                    var task = context.AddTask(Markup.Escape(probe.Url), maxValue: 1);
                    return PollAsync(probe, state => Show(task, probe, states[i] = state), deadline.Token);
                })));
        }
        else
        {
            // Logs and CI: one line per change of state instead of a live display.
            await Task.WhenAll(probes.Select((probe, i) => PollAsync(probe, state =>
                AnsiConsole.MarkupLine($"{Markup.Escape(probe.Url)} {Colour(states[i] = state)}"), deadline.Token)));
        }

        probes.ForEach(p => p.Dispose());
        cancellationToken.ThrowIfCancellationRequested();
        var waiting = probes.Where((_, i) => !HealthProbe.IsServing(states[i])).Select(p => p.Url).ToList();
        if (waiting.Count == 0)
        {
            return 0;
        }

        AnsiConsole.MarkupLine($"[red]Not SERVING after {timeout.TotalSeconds:0.#}s:[/] {Markup.Escape(string.Join(", ", waiting))}");
        return 1;
    }

    /// <summary>Polls until SERVING or cancellation, reporting each change of state.</summary>
    private static async Task PollAsync(HealthProbe probe, Action<string> changed, CancellationToken cancellationToken)
    {
        var last = string.Empty;
        try
        {
            while (true)
            {
                var state = await probe.CheckAsync(cancellationToken);
                if (state != last)
                {
                    changed(last = state);
                }

                if (HealthProbe.IsServing(state))
                {
                    return;
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            if (last.Length == 0)
            {
                changed("no answer");
            }
        }
    }

    private static void Show(ProgressTask task, HealthProbe probe, string state)
    {
        task.Description = $"{Markup.Escape(probe.Url)} {Colour(state)}";
        if (HealthProbe.IsServing(state))
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    public static string Colour(string state) =>
        HealthProbe.IsServing(state) ? $"[green]{state}[/]" : $"[yellow]{Markup.Escape(state)}[/]";
}
