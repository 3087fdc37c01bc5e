using System.Diagnostics;
using Spectre.Console;

namespace Mesh.Bench.Locks;

/// <summary>
/// Runs timed phases one after the other, showing a progress bar per phase on a terminal and one
/// line per finished phase otherwise (logs, CI).
/// </summary>
public sealed class PhaseRunner(ProgressContext? progress)
{
    public static async Task<T> ShowAsync<T>(Func<PhaseRunner, Task<T>> phases)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await phases(new PhaseRunner(null));
        }

        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
            .StartAsync(context => phases(new PhaseRunner(context)));
    }

    /// <summary>Runs <paramref name="body"/>, which must finish in about <paramref name="length"/>, and describes its result.</summary>
    public async Task<T> RunAsync<T>(string name, TimeSpan length, Func<Task<T>> body, Func<T, string> describe)
    {
        var task = progress?.AddTask(Markup.Escape(name), maxValue: length.TotalSeconds);
        var clock = Stopwatch.StartNew();
        var running = body();
        while (!running.IsCompleted && task is not null)
        {
            task.Value = Math.Min(clock.Elapsed.TotalSeconds, length.TotalSeconds);
            await Task.WhenAny(running, Task.Delay(100));
        }

        var result = await running;
        if (task is null)
        {
            AnsiConsole.MarkupLine($"{Markup.Escape(name)}: {Markup.Escape(describe(result))}");
        }
        else
        {
            task.Value = task.MaxValue;
            task.Description = $"{Markup.Escape(name)}: [green]{Markup.Escape(describe(result))}[/]";
            task.StopTask();
        }

        return result;
    }
}
