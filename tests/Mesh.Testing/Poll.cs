using Xunit.Sdk;

namespace Mesh.Testing;

/// <summary>Waits for state that a process, a consumer or a background loop builds asynchronously.</summary>
public static class Poll
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Checks <paramref name="condition"/> every <paramref name="interval"/> (100 ms unless given)
    /// until it holds; fails the test with <paramref name="because"/> once <paramref name="timeout"/> passed.
    /// </summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, () => because, interval);

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because, TimeSpan? interval = null) =>
        UntilAsync(condition, timeout, () => because, interval);

    /// <summary>As above, with a failure message built when it fails (from the state it then finds).</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> because, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, because, interval);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> because, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new XunitException($"Not within {timeout}: {because()}");
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    /// <summary>
    /// The first answer of <paramref name="read"/> that satisfies <paramref name="done"/>; after
    /// <paramref name="timeout"/>, the last answer (the caller's assertions then say what is wrong).
    /// </summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await read();
            if (done(answer) || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }
}
