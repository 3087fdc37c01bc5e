using Mesh.Testing;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>Polls a read until its answer satisfies a condition, for state the log builds asynchronously.</summary>
public static class Eventually
{
    // Four reads a second, as these tests always polled: reads through the gateway stay inside its per-user quota (10 calls/s refill).
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The first answer of <paramref name="read"/> that satisfies <paramref name="done"/>; after
    /// <paramref name="within"/>, the last answer (the caller's assertions then say what is wrong).
    /// </summary>
    public static Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within) =>
        Poll.ReadAsync(read, done, within, Interval);
}
