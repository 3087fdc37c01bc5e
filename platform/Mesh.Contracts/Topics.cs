namespace Mesh.Contracts;

/// <summary>
/// Topic names. The one convention: <c>mesh.&lt;producing service&gt;.&lt;event name in kebab case&gt;</c>.
/// The producer owns the topic; consumers depend on this contract, never on the producer's code.
/// </summary>
public static class Topics
{
    public const string OrderPlaced = "mesh.orders.order-placed";
}
