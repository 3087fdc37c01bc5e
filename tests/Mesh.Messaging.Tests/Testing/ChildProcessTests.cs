using System.Globalization;
using Mesh.Testing;

namespace Mesh.Messaging.Tests.Testing;

public sealed class ChildProcessTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WaitForLineAsync_PrintedBeforeOrAfter_ReturnsTheLineAndKeepsTheOutput()
    {
        await using var process = Shell("echo 'ready 1'; read line; echo \"got $line\"; sleep 30");

        var ready = await process.WaitForLineAsync("ready ", Within);
        await process.WriteLineAsync("hello");
        var echoed = await process.WaitForLineAsync("got ", Within);

        Assert.Equal("ready 1", ready);
        Assert.Equal("got hello", echoed);
        Assert.Equal("ready 1\ngot hello", process.Output);
    }

    [Fact]
    public async Task WaitForLineAsync_NeverPrinted_TimeoutWithTheOutput()
    {
        await using var process = Shell("echo 'something else'; sleep 30");
        await process.WaitForLineAsync("something", Within); // printed and read before the short wait starts

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => process.WaitForLineAsync("ready", TimeSpan.FromMilliseconds(500)));

        Assert.Contains("something else", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PauseThenResume_PrintsNothingWhilePausedThenGoesOn()
    {
        // Each line carries the moment the shell wrote it (bash's clock: no process is forked per
        // line), so a line written before the pause but read late on a loaded machine is not taken
        // for one written during it.
        await using var process = ChildProcess.Start(
            "bash", "bash", ["-c", "echo start; while true; do echo \"tick $EPOCHREALTIME\"; sleep 0.05; done"],
            Path.GetTempPath(), new Dictionary<string, string> { ["LC_ALL"] = "C" });
        await process.WaitForLineAsync("start", Within);

        process.Pause();
        var pausedAt = DateTimeOffset.UtcNow;
        await Task.Delay(1000);
        var resumedAt = DateTimeOffset.UtcNow;
        process.Resume();
        await Poll.UntilAsync(() => Ticks(process.Output).Any(tick => tick > resumedAt), Within, () => $"no tick after the resume:\n{process.Output}");

        // A line whose clock was read just as the signal landed may carry a moment after Pause returned.
        var whilePaused = Ticks(process.Output).Where(tick => tick > pausedAt.AddMilliseconds(100) && tick < resumedAt).ToList();
        Assert.True(whilePaused.Count == 0, $"{whilePaused.Count} lines written while paused:\n{process.Output}");
        Assert.Contains(Ticks(process.Output), tick => tick < pausedAt);
    }

    private static IEnumerable<DateTimeOffset> Ticks(string output) =>
        output.Split('\n')
            .Where(line => line.StartsWith("tick ", StringComparison.Ordinal))
            .Select(line => DateTimeOffset.UnixEpoch.AddTicks((long)(decimal.Parse(line["tick ".Length..], CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond)));

    [Fact]
    public async Task Kill_Running_ExitsAtOnce()
    {
        await using var process = Shell("trap '' TERM; echo up; sleep 30");
        await process.WaitForLineAsync("up", Within);

        process.Kill();

        Assert.True(process.HasExited);
    }

    [Fact]
    public async Task StopAsync_Running_ExitsOnSigterm()
    {
        await using var process = Shell("trap 'echo bye; exit 3' TERM; echo up; while true; do sleep 0.05; done");
        await process.WaitForLineAsync("up", Within);

        var exitCode = await process.StopAsync(Within);

        Assert.Equal(3, exitCode);
        Assert.EndsWith("bye", process.Output, StringComparison.Ordinal);
    }

    private static ChildProcess Shell(string script) =>
        ChildProcess.Start("sh", "sh", ["-c", script], Path.GetTempPath(), new Dictionary<string, string>());
}
