using System.Diagnostics;
using Spectre.Console;

namespace Mesh.Bench.RedisMemory;

/// <summary>
/// Steps that count towards a known total (orders placed, orders settled, seconds waited): a
/// progress bar per step on a terminal; otherwise a line every ten seconds and one when the step
/// ends (logs, CI).
/// </summary>
public sealed class StepProgress(ProgressContext? progress)
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(10);

    public static async Task<T> ShowAsync<T>(Func<StepProgress, Task<T>> steps)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await steps(new StepProgress(null));
        }

        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(context => steps(new StepProgress(context)));
    }

    /// <summary>Runs <paramref name="body"/>, which reports how far it got out of <paramref name="total"/>, and describes its result.</summary>
    public async Task<T> RunAsync<T>(string name, long total, Func<IProgress<long>, Task<T>> body, Func<T, string> describe)
    {
        var task = progress?.AddTask(Markup.Escape(name), maxValue: Math.Max(1, total));
        long done = 0;
        var clock = Stopwatch.StartNew();
        var running = body(new SynchronousProgress(value =>
        {
            Interlocked.Exchange(ref done, value);
            if (task is not null)
            {
                task.Value = Math.Min(value, total);
            }
        }));
        var lastLine = clock.Elapsed;
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(200));
            if (task is null && clock.Elapsed - lastLine >= LineInterval)
            {
                lastLine = clock.Elapsed;
                AnsiConsole.WriteLine($"{name}: {Interlocked.Read(ref done):N0} / {total:N0} ({clock.Elapsed.TotalSeconds:N0} s)");
            }
        }

        var result = await running;
        if (task is null)
        {
            AnsiConsole.WriteLine($"{name}: {describe(result)} ({clock.Elapsed.TotalSeconds:N0} s)");
        }
        else
        {
            task.Value = task.MaxValue;
            task.Description = $"{Markup.Escape(name)}: [green]{Markup.Escape(describe(result))}[/]";
            task.StopTask();
        }

        return result;
    }

    // Progress<T> posts to a synchronization context or the pool; this reports on the caller's thread, in order.
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
