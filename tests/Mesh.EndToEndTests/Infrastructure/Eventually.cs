using System.Diagnostics;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>Polls a read until its answer satisfies a condition, for state the log builds asynchronously.</summary>
public static class Eventually
{
    /// <summary>
    /// The first answer of <paramref name="read"/> that satisfies <paramref name="done"/>; after
    /// <paramref name="within"/>, the last answer (the caller's assertions then say what is wrong).
    /// </summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var answer = await read();
            if (done(answer) || clock.Elapsed > within)
            {
                return answer;
            }

            await Task.Delay(250);
        }
    }
}
