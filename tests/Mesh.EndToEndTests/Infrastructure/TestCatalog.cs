using System.Globalization;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>The SKUs the fixture's order service sells (on top of its default catalog) and their prices.</summary>
public static class TestCatalog
{
    /// <summary>What <see cref="TestUser.Line"/> orders unless told otherwise.</summary>
    public const string Item = "SKU-1";

    /// <summary>Costs one cent: the quantity is the amount, for tests that need a given total.</summary>
    public const string Cent = "CENT";

    /// <summary>A third of every new user's credit: three fit, a fourth does not.</summary>
    public const string Third = "SAGA";

    public static IReadOnlyDictionary<string, long> Prices { get; } = new Dictionary<string, long>
    {
        [Item] = 1250,
        [Cent] = 1,
        [Third] = MeshFixture.CreditLimitCents / 3,
        ["BOOK"] = 1250,
        ["PEN"] = 199,
        ["A"] = 100,
        ["RACE"] = 500,
    };

    /// <summary>The environment that makes an order service sell these.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Environment =>
        Prices.Select(p => KeyValuePair.Create($"Orders__Catalog__{p.Key}", p.Value.ToString(CultureInfo.InvariantCulture)));
}
