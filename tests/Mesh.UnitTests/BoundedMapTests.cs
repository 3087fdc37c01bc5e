using Mesh.Quotas.Engine;

namespace Mesh.UnitTests;

public sealed class BoundedMapTests
{
    [Fact]
    public void GetOrAdd_AtTheBound_DropsEveryEntryBeforeAdding()
    {
        var map = new BoundedMap<string>(maxEntries: 3);
        foreach (var key in new[] { "a", "b", "c" })
        {
            map.GetOrAdd(key, () => key);
        }

        map.GetOrAdd("d", () => "d");

        Assert.False(map.TryGetValue("a", out _));
        Assert.False(map.TryGetValue("c", out _));
        Assert.True(map.TryGetValue("d", out var kept));
        Assert.Equal("d", kept);
    }

    [Fact]
    public void GetOrAdd_ExistingKey_ReturnsItWithoutCreating()
    {
        var map = new BoundedMap<object>(maxEntries: 1);
        var first = map.GetOrAdd("a", () => new object());

        var again = map.GetOrAdd("a", () => throw new InvalidOperationException("created twice"));

        Assert.Same(first, again);
    }

    [Fact]
    public void Set_SameKeyAgain_DoesNotCountTowardsTheBound()
    {
        var map = new BoundedMap<int>(maxEntries: 2);
        for (var value = 0; value < 5; value++)
        {
            map.Set("a", value);
        }

        map.Set("b", 1);

        Assert.True(map.TryGetValue("a", out var a));
        Assert.Equal(4, a);
        Assert.True(map.TryGetValue("b", out _));
    }

    [Fact]
    public void TryRemove_MakesRoomForAnotherEntry()
    {
        var map = new BoundedMap<int>(maxEntries: 2);
        map.Set("a", 1);
        map.Set("b", 2);

        Assert.False(map.TryRemove(KeyValuePair.Create("a", 9)));
        Assert.True(map.TryRemove(KeyValuePair.Create("a", 1)));
        map.Set("c", 3);

        Assert.True(map.TryGetValue("b", out _));
        Assert.True(map.TryGetValue("c", out _));
    }

    [Fact]
    public void GetOrAdd_ManyThreadsOnTheSameKeys_CountsEachKeyOnce()
    {
        var map = new BoundedMap<string>(maxEntries: 401);

        Parallel.For(0, 4_000, i => map.GetOrAdd($"k{i % 400}", () => $"k{i % 400}"));
        map.Set("the 401st", "x");

        Assert.All(Enumerable.Range(0, 400), i => Assert.True(map.TryGetValue($"k{i}", out _)));
        map.Set("the 402nd", "y");
        Assert.False(map.TryGetValue("k0", out _));
    }
}
