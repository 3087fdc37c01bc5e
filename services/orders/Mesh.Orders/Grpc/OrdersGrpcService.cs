using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.Orders.Ordering;
using Mesh.ServiceDefaults.Errors;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Paging;

namespace Mesh.Orders.Grpc;

/// <summary>mesh.v1.Orders for the user the gateway authenticated.</summary>
public sealed class OrdersGrpcService(OrderPlacement placement, OrderStore store) : Contracts.V1.Orders.OrdersBase
{
    public override Task<Order> PlaceOrder(PlaceOrderRequest request, ServerCallContext context) =>
        placement.PlaceAsync(PlaceOrderCommand.Validate(context.GetUserId(), request), context.CancellationToken);

    public override async Task<Order> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        new FieldViolations().RequireText("order_id", request.OrderId, 64).ThrowIfAny();
        // Another user's order is simply absent from this user's view: NOT_FOUND, not PERMISSION_DENIED.
        return await store.FindAsync(userId, request.OrderId)
            ?? throw ResourceException.NotFound("order", request.OrderId);
    }

    public override async Task<ListOrdersResponse> ListOrders(ListOrdersRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        var page = PageRequest.From(request.PageSize, request.PageToken);
        var (orders, hasMore) = await store.PageAsync(userId, page.Offset, page.Size);
        return new ListOrdersResponse { Orders = { orders }, NextPageToken = page.NextToken(hasMore) };
    }
}
