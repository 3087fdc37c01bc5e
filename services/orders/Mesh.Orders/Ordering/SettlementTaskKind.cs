namespace Mesh.Orders.Ordering;

public enum SettlementTaskKind
{
    /// <summary>A placed order that must be settled by its deadline.</summary>
    Deadline,

    /// <summary>A recorded cancellation that must be published.</summary>
    Cancellation,
}
