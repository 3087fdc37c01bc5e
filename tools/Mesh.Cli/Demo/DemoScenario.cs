using Grpc.Core;
using Mesh.Contracts.V1;

namespace Mesh.Cli.Demo;

/// <summary>The scripted walk through the public API: account, session, orders and their saga, notifications, credit, trace, quota.</summary>
public sealed class DemoScenario(MeshClient client, DemoSettings settings)
{
    private static readonly TimeSpan NotificationWait = TimeSpan.FromSeconds(5);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        DemoView.Title(settings.Gateway, settings.Dashboard);
        try
        {
            await SignInAsync(cancellationToken);
            await using var feed = await DemoView.StepAsync("Subscribe", () => NotificationFeed.OpenAsync(client, cancellationToken));
            DemoView.Done("subscribed to notifications (the stream is read in the background)");

            var (first, second, overCredit, trace, idempotent, priced) = await PlaceOrdersAsync(cancellationToken);
            var delivered = await ShowDeliveredAsync(feed, [first.OrderId, second.OrderId, overCredit.OrderId], cancellationToken);
            await ShowQueriesAsync(first.OrderId, cancellationToken);
            await ShowCreditAsync(cancellationToken);
            var cancelled = await ShowCancellationAsync(second, cancellationToken);

            DemoView.Section("Trace");
            DemoView.Trace(trace, settings.Dashboard);

            DemoView.Section($"Quota: GetOrder as fast as possible, at most {settings.MaxQuotaCalls} calls");
            var outcome = await DemoView.StepAsync("GetOrder loop", () =>
                QuotaProbe.RunAsync(client, first.OrderId, settings.MaxQuotaCalls, cancellationToken));
            DemoView.QuotaRejection(outcome, settings.MaxQuotaCalls);
            return idempotent && priced && delivered && cancelled ? 0 : 1;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            DemoView.RpcFailure(e);
            return 1;
        }
    }

    private async Task SignInAsync(CancellationToken cancellationToken)
    {
        DemoView.Section("Account");
        var email = $"demo-{Guid.NewGuid():N}"[..17] + "@mesh.example";
        var password = Secrets.NewPassword();
        var user = await DemoView.StepAsync("Register", () => client.Auth.RegisterAsync(
            new RegisterRequest { Email = email, Password = password, DisplayName = "Mesh demo" },
            client.Call(cancellationToken)).ResponseAsync);
        DemoView.Done($"registered {DemoView.Value(user.Email)} as user {DemoView.Value(user.UserId)} (random password, not shown)");

        var session = await DemoView.StepAsync("Login", () => client.Auth.LoginAsync(
            new LoginRequest { Email = email, Password = password },
            client.Call(cancellationToken)).ResponseAsync);
        client.UseSession(session);
        DemoView.Done($"logged in: token {DemoView.Value(Secrets.Mask(session.Token))}, expires {DemoView.Time(session.ExpiresAt?.ToDateTimeOffset())}");
    }

    private async Task<(Order First, Order Second, Order OverCredit, TraceParent Trace, bool Idempotent, bool Priced)> PlaceOrdersAsync(CancellationToken cancellationToken)
    {
        DemoView.Section("Catalog and orders");
        var products = (await client.Orders.ListProductsAsync(new ListProductsRequest { PageSize = 100 }, client.Call(cancellationToken))).Products;
        DemoView.Products(products);
        var cheapest = products.MinBy(p => p.UnitPriceCents)!;
        var dearest = products.MaxBy(p => p.UnitPriceCents)!;

        // Prices come from the catalog, never from the client: a made-up one is refused with the real one.
        var priced = await DemoView.RefusedAsync("PlaceOrder with a made-up price", () => client.Orders.PlaceOrderAsync(
            new PlaceOrderRequest { IdempotencyKey = $"demo-{Guid.NewGuid():N}", Lines = { new OrderLine { Sku = cheapest.Sku, Quantity = 1, UnitPriceCents = 1 } } },
            client.Call(cancellationToken)).ResponseAsync);

        var trace = TraceParent.New();
        var firstKey = $"demo-{Guid.NewGuid():N}";
        OrderLine[] firstLines = [.. products.OrderBy(p => p.UnitPriceCents).Take(2).Select((p, i) => new OrderLine { Sku = p.Sku, Quantity = 2 - i })];
        var first = await PlaceAsync(firstKey, firstLines, trace, cancellationToken);
        var repeat = await PlaceAsync(firstKey, firstLines, TraceParent.New(), cancellationToken);
        var second = await PlaceAsync(
            $"demo-{Guid.NewGuid():N}", [new OrderLine { Sku = cheapest.Sku, Quantity = 3, UnitPriceCents = cheapest.UnitPriceCents }], TraceParent.New(), cancellationToken);

        // Just over the whole limit: the saga must reject it whatever the limit and the prices are.
        var credit = await client.Users.GetCreditAsync(new GetCreditRequest(), client.Call(cancellationToken));
        var overCredit = await PlaceAsync(
            $"demo-{Guid.NewGuid():N}", [new OrderLine { Sku = dearest.Sku, Quantity = (int)(credit.LimitCents / dearest.UnitPriceCents) + 1 }],
            TraceParent.New(), cancellationToken);

        var idempotent = repeat.OrderId == first.OrderId;
        DemoView.Orders("PlaceOrder answers",
        [
            (first, "new idempotency key"),
            (repeat, idempotent ? "same key again: the first order, nothing new" : "same key again: a NEW order (not idempotent!)"),
            (second, "another new key"),
            (overCredit, "more than the credit limit: the saga will reject it"),
        ]);
        if (!idempotent)
        {
            DemoView.Fail("repeating an idempotency key created a second order");
        }

        return (first, second, overCredit, trace, idempotent, priced);
    }

    private Task<Order> PlaceAsync(string key, IEnumerable<OrderLine> lines, TraceParent trace, CancellationToken cancellationToken) =>
        DemoView.StepAsync("PlaceOrder", () => client.Orders.PlaceOrderAsync(
            new PlaceOrderRequest { IdempotencyKey = key, Lines = { lines } },
            client.Call(cancellationToken, trace)).ResponseAsync);

    private async Task<bool> ShowDeliveredAsync(NotificationFeed feed, string[] orderIds, CancellationToken cancellationToken)
    {
        DemoView.Section("Notifications pushed on the Subscribe stream");
        var started = TimeProvider.System.GetTimestamp();
        var complete = await DemoView.StepAsync("Waiting for notifications", () =>
            feed.WaitForOrdersAsync(orderIds, NotificationWait, cancellationToken));
        DemoView.Notifications("Subscribe", feed.Received);
        if (complete)
        {
            DemoView.Done($"a notification for each order, all in within {TimeProvider.System.GetElapsedTime(started).TotalMilliseconds:0} ms of the last PlaceOrder answer");
        }
        else if (feed.Error is { } error)
        {
            DemoView.RpcFailure(error);
        }
        else
        {
            DemoView.Fail($"not every order produced a notification within {NotificationWait.TotalSeconds:0} s");
        }

        return complete;
    }

    private async Task ShowQueriesAsync(string orderId, CancellationToken cancellationToken)
    {
        DemoView.Section("Queries");
        var order = await client.Orders.GetOrderAsync(new GetOrderRequest { OrderId = orderId }, client.Call(cancellationToken));
        DemoView.Done($"GetOrder {DemoView.Value(order.OrderId)}: {DemoView.Value(order.Status)}");

        var orders = await client.Orders.ListOrdersAsync(new ListOrdersRequest { PageSize = 10 }, client.Call(cancellationToken));
        DemoView.Orders($"ListOrders ({orders.Orders.Count}; the repeated key added none)", orders.Orders.Select(o => (o, (string?)null)));

        var notifications = await client.Notifications.ListNotificationsAsync(
            new ListNotificationsRequest { PageSize = 10 }, client.Call(cancellationToken));
        DemoView.Notifications($"ListNotifications ({notifications.Notifications.Count})", notifications.Notifications);
    }

    private async Task ShowCreditAsync(CancellationToken cancellationToken)
    {
        DemoView.Section("Credit and spend (views built from the CreditReserved events)");
        var credit = await client.Users.GetCreditAsync(new GetCreditRequest(), client.Call(cancellationToken));
        DemoView.Done($"GetCredit: limit {DemoView.Value(DemoView.Money(credit.LimitCents))}, reserved {DemoView.Value(DemoView.Money(credit.ReservedCents))}, " +
            $"available {DemoView.Value(DemoView.Money(credit.AvailableCents))}, spent {DemoView.Value(DemoView.Money(credit.SpentCents))}");

        var top = await client.Users.ListTopSpendersAsync(new ListTopSpendersRequest { PageSize = 5 }, client.Call(cancellationToken));
        DemoView.Done("ListTopSpenders: " + string.Join(", ", top.Spenders.Select(s => $"#{s.Rank} {s.UserId} {DemoView.Money(s.SpentCents)}")));
    }

    private async Task<bool> ShowCancellationAsync(Order order, CancellationToken cancellationToken)
    {
        DemoView.Section("Cancel an order (the user service gives its credit back)");
        var before = await client.Users.GetCreditAsync(new GetCreditRequest(), client.Call(cancellationToken));
        var cancelled = await DemoView.StepAsync("CancelOrder", () => client.Orders.CancelOrderAsync(
            new CancelOrderRequest { OrderId = order.OrderId }, client.Call(cancellationToken)).ResponseAsync);
        DemoView.Done($"CancelOrder {DemoView.Value(cancelled.OrderId)}: {DemoView.Value(cancelled.Status)}");

        // CreditReleased travels through Kafka: the credit comes back a moment later.
        var after = await DemoView.StepAsync("Waiting for the credit", async () =>
        {
            var started = TimeProvider.System.GetTimestamp();
            while (true)
            {
                var credit = await client.Users.GetCreditAsync(new GetCreditRequest(), client.Call(cancellationToken));
                if (credit.ReservedCents < before.ReservedCents || TimeProvider.System.GetElapsedTime(started) > NotificationWait)
                {
                    return credit;
                }

                await Task.Delay(100, cancellationToken);
            }
        });
        var released = after.ReservedCents <= before.ReservedCents - order.TotalCents;
        if (released)
        {
            DemoView.Done($"reserved {DemoView.Value(DemoView.Money(before.ReservedCents))} -> {DemoView.Value(DemoView.Money(after.ReservedCents))}, " +
                $"available {DemoView.Value(DemoView.Money(after.AvailableCents))}");
        }
        else
        {
            DemoView.Fail($"the credit was not released within {NotificationWait.TotalSeconds:0} s");
        }

        return cancelled.Status == OrderStatus.Cancelled && released;
    }
}
