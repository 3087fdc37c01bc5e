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

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => process.WaitForLineAsync("ready", TimeSpan.FromMilliseconds(500)));

        Assert.Contains("something else", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PauseThenResume_PrintsNothingWhilePausedThenGoesOn()
    {
        await using var process = Shell("echo start; while true; do echo tick; sleep 0.05; done");
        await process.WaitForLineAsync("start", Within);

        process.Pause();
        await Task.Delay(1000); // a line already on its way may still arrive, late on a loaded machine
        var paused = process.PrintedAsync("tick");
        var printedWhilePaused = await Task.WhenAny(paused, Task.Delay(500)) == paused;
        process.Resume();

        Assert.False(printedWhilePaused);
        await paused.WaitAsync(Within);
    }

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
