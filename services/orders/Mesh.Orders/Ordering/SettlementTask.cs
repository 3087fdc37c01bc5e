namespace Mesh.Orders.Ordering;

/// <summary>
/// One entry of the <see cref="SettlementQueue"/>: an order to settle by its deadline
/// (<see cref="SettlementTaskKind.Deadline"/>) or a recorded cancellation to publish.
/// </summary>
public sealed record SettlementTask(SettlementTaskKind Kind, string UserId, string OrderId)
{
    // Ids never hold a newline (user and order ids are generated), so it separates them safely.
    public string Member => $"{(Kind == SettlementTaskKind.Deadline ? 'd' : 'c')}\n{UserId}\n{OrderId}";

    public static SettlementTask Deadline(string userId, string orderId) => new(SettlementTaskKind.Deadline, userId, orderId);

    public static SettlementTask Cancellation(string userId, string orderId) => new(SettlementTaskKind.Cancellation, userId, orderId);

    /// <summary>Null for a member this version does not know.</summary>
    public static SettlementTask? Parse(string member) => member.Split('\n') switch
    {
        ["d", var user, var order] => Deadline(user, order),
        ["c", var user, var order] => Cancellation(user, order),
        _ => null,
    };
}
