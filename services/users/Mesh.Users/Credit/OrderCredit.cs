using Google.Protobuf;
using Mesh.Contracts.Events.V1;

namespace Mesh.Users.Credit;

/// <summary>
/// What the user service recorded about one order's credit: the decision (CreditReserved or
/// CreditRejected), its release (CreditReleased) once the order was cancelled or timed out, and
/// <see cref="EndedAs"/> when the order's end came before any decision (so the decision, when its
/// OrderPlaced finally comes, is a rejection and nothing is reserved).
/// </summary>
public sealed record OrderCredit(IMessage? Decision, CreditReleased? Release, string? EndedAs)
{
    public static OrderCredit None { get; } = new(null, null, null);

    public CreditReserved? Reservation => Decision as CreditReserved;
}
