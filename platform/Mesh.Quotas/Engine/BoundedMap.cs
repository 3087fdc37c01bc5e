using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Mesh.Quotas.Engine;

/// <summary>
/// Entries by bucket key, all dropped at once when <c>maxEntries</c> is reached: each is only an
/// optimisation, and dropping them all is cheaper than choosing which to drop. The map counts its
/// own entries instead of asking the dictionary: ConcurrentDictionary's Count takes every one of
/// its locks (up to 1,024 once the table has grown), and asking it before each new entry took a
/// third of the sidecar's CPU on many buckets (docs/BENCHMARKS.md, Quotas, runs AK–AO).
/// </summary>
internal sealed class BoundedMap<TValue>(int maxEntries)
{
    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);

    // Entries added and not removed since the last clear. An add or a remove racing with a clear
    // can leave it off by one; the bound is a memory guard, and holds give or take those few.
    private int _count;

    public bool IsEmpty => _entries.IsEmpty;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TValue value) => _entries.TryGetValue(key, out value);

    /// <summary>The entry on <paramref name="key"/>, made by <paramref name="create"/> when there is none.</summary>
    public TValue GetOrAdd(string key, Func<TValue> create)
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                return existing;
            }

            MakeRoom();
            var created = create();
            if (_entries.TryAdd(key, created))
            {
                Interlocked.Increment(ref _count);
                return created;
            }
        }
    }

    public void Set(string key, TValue value)
    {
        MakeRoom();
        if (_entries.TryAdd(key, value))
        {
            Interlocked.Increment(ref _count);
        }
        else
        {
            _entries[key] = value;
        }
    }

    /// <summary>Removes the entry only if it is still <paramref name="entry"/>'s value.</summary>
    public bool TryRemove(KeyValuePair<string, TValue> entry)
    {
        if (!_entries.TryRemove(entry))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    private void MakeRoom()
    {
        if (Volatile.Read(ref _count) >= maxEntries)
        {
            _entries.Clear();
            Volatile.Write(ref _count, 0);
        }
    }
}
