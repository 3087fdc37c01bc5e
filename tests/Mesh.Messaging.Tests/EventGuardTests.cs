using Mesh.Contracts.Events.V1;

namespace Mesh.Messaging.Tests;

public sealed class EventGuardTests
{
    [Theory]
    [InlineData("", "ord_1")]
    [InlineData("usr_1", "")]
    public void RequireIds_MissingUserOrOrder_RejectsNamingTheEventType(string userId, string orderId)
    {
        var credit = new CreditReserved { UserId = userId, OrderId = orderId };

        var exception = Assert.Throws<EventRejectedException>(() => EventGuard.RequireIds(credit, userId, orderId));

        Assert.Contains("mesh.events.v1.CreditReserved", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireIds_BothPresent_Passes() =>
        EventGuard.RequireIds(new CreditReserved(), "usr_1", "ord_1");
}
