namespace Mesh.Testing;

/// <summary>Polls a condition instead of sleeping for a guessed time.</summary>
public static class Poll
{
    /// <summary>Returns once <paramref name="condition"/> holds; fails, naming <paramref name="what"/>, after <paramref name="within"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {within}: {what}");
            }

            await Task.Delay(20);
        }
    }
}
