using System.Globalization;
using Google.Protobuf;
using Google.Rpc;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Orders.Catalog;

/// <summary>
/// FAILED_PRECONDITION: the client priced lines differently from the catalog (a stale price on its
/// screen, or a made-up one). The details give the current price of each such line, so the client
/// can show it and place the order again; sending 0 takes the catalog price.
/// </summary>
public sealed class PriceChangedException(IReadOnlyList<PriceChangedException.StaleLine> lines)
    : MeshException(global::Grpc.Core.StatusCode.FailedPrecondition, Describe(lines))
{
    public const string Reason = "PRICE_CHANGED";

    /// <summary>Line <paramref name="Index"/> of the request said <paramref name="SentCents"/> for an item that costs more or less.</summary>
    public sealed record StaleLine(int Index, CatalogItem Item, long SentCents);

    public IReadOnlyList<StaleLine> Lines { get; } = lines;

    public override IEnumerable<IMessage> Details =>
    [
        new PreconditionFailure
        {
            Violations =
            {
                Lines.Select(l => new PreconditionFailure.Types.Violation
                {
                    Type = Reason,
                    Subject = $"lines[{l.Index}].unit_price_cents",
                    Description = Price(l),
                }),
            },
        },
        new ErrorInfo
        {
            Reason = Reason,
            Domain = ErrorDomain.Mesh,
            // The current price of each SKU, for clients that read it mechanically.
            Metadata = { Lines.DistinctBy(l => l.Item.Sku).ToDictionary(l => l.Item.Sku, l => l.Item.PriceCents.ToString(CultureInfo.InvariantCulture)) },
        },
    ];

    private static string Describe(IReadOnlyList<StaleLine> lines) =>
        "Prices changed: " + string.Join("; ", lines.Select(Price)) + ". Send the current price, or 0 for the catalog's.";

    private static string Price(StaleLine line) =>
        string.Create(CultureInfo.InvariantCulture, $"{line.Item.Sku} costs {line.Item.PriceCents} cents, not {line.SentCents}");
}
