using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.Orders.Catalog;
using Mesh.Orders.Ordering;
using Mesh.ServiceDefaults.Errors;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Paging;

namespace Mesh.Orders.Grpc;

/// <summary>mesh.v1.Orders for the user the gateway authenticated.</summary>
public sealed class OrdersGrpcService(
    OrderPlacement placement, OrderCancellation cancellation, OrderViews views, ProductCatalog catalog) : Contracts.V1.Orders.OrdersBase
{
    public override Task<Order> PlaceOrder(PlaceOrderRequest request, ServerCallContext context) =>
        placement.PlaceAsync(PlaceOrderCommand.Validate(context.GetUserId(), request, catalog), context.CancellationToken);

    public override async Task<Order> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        new FieldViolations().RequireText("order_id", request.OrderId, 64).ThrowIfAny();
        // Another user's order is simply absent from this user's view: NOT_FOUND, not PERMISSION_DENIED.
        return await views.FindAsync(userId, request.OrderId)
            ?? throw ResourceException.NotFound("order", request.OrderId);
    }

    public override async Task<ListOrdersResponse> ListOrders(ListOrdersRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        var page = PageRequest.From(request.PageSize, request.PageToken);
        var (orders, hasMore) = await views.PageAsync(userId, page.Offset, page.Size);
        return new ListOrdersResponse { Orders = { orders }, NextPageToken = page.NextToken(hasMore) };
    }

    public override Task<Order> CancelOrder(CancelOrderRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        new FieldViolations().RequireText("order_id", request.OrderId, 64).ThrowIfAny();
        return cancellation.CancelAsync(userId, request.OrderId, context.CancellationToken);
    }

    public override Task<ListProductsResponse> ListProducts(ListProductsRequest request, ServerCallContext context)
    {
        _ = context.GetUserId(); // Any authenticated user may read the catalog.
        var page = PageRequest.From(request.PageSize, request.PageToken);
        var products = catalog.All;
        return Task.FromResult(new ListProductsResponse
        {
            Products = { products.Skip(page.Offset).Take(page.Size).Select(p => new Product { Sku = p.Sku, UnitPriceCents = p.PriceCents }) },
            NextPageToken = page.NextToken(products.Count > page.Offset + page.Size),
        });
    }
}
