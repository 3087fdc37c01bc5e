using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

[Collection(MeshCollection.Name)]
public sealed class TracingTests(MeshFixture mesh)
{
    [Fact]
    public async Task PlaceOrder_OneTrace_CoversGatewayTheWholeSagaAndRedis()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        await using var stream = await NotificationStream.OpenAsync(user);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var headers = user.Headers;
        headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        await user.Orders.PlaceOrderAsync(
            new Contracts.V1.PlaceOrderRequest { IdempotencyKey = "traced", Lines = { TestUser.Line() } },
            new CallOptions(headers, TestUser.Deadline));
        await stream.NextAsync(TimeSpan.FromSeconds(10));

        // Every hop of the saga: orders publishes OrderPlaced, users decides the credit, orders
        // publishes the outcome, notifications consumes it.
        var spans = await WaitForTraceAsync(traceId, spans =>
            spans.Any(s => s.Service == "mesh-gateway")
            && spans.Any(s => s.Service == "mesh-orders" && IsSend(s, Contracts.Topics.OrderPlaced))
            && spans.Any(s => s.Service == "mesh-users" && IsKafka(s, "process", "receive"))
            && spans.Any(s => s.Service == "mesh-orders" && IsSend(s, Contracts.Topics.OrderConfirmed))
            && spans.Any(s => s.Service == "mesh-notifications" && IsKafka(s, "process", "receive"))
            && spans.Any(IsRedis));

        Assert.Contains(spans, s => s.Service == "mesh-orders" && s.Name.Contains("PlaceOrder", StringComparison.Ordinal));
        Assert.Contains(spans, s => s.Service == "mesh-notifications" && IsRedis(s));
        Assert.Contains(spans, s => s.Service == "mesh-users" && IsSend(s, Contracts.Topics.CreditReserved));
    }

    private static bool IsSend(ExportedSpan span, string topic) =>
        IsKafka(span, "publish", "send") && span["messaging.destination.name"] == topic;

    private static bool IsKafka(ExportedSpan span, params string[] operations) =>
        span["messaging.system"] == "kafka" && operations.Contains(span["messaging.operation.type"] ?? span["messaging.operation"]);

    private static bool IsRedis(ExportedSpan span) =>
        span["db.system"] == "redis" || span["db.system.name"] == "redis";

    private async Task<List<ExportedSpan>> WaitForTraceAsync(string traceId, Func<List<ExportedSpan>, bool> complete)
    {
        using var http = new HttpClient { BaseAddress = new Uri(mesh.DashboardAddress), Timeout = TimeSpan.FromSeconds(10) };
        var spans = new List<ExportedSpan>();
        await Poll.UntilAsync(
            async () =>
            {
                // Answers 404 until the first span of the trace arrives.
                using var response = await http.GetAsync($"/api/telemetry/traces/{traceId}");
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }

                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                spans = ExportedSpan.AllIn(json.RootElement)
                    .Where(s => string.Equals(s.TraceId, traceId, StringComparison.OrdinalIgnoreCase))
                    .ToList();
                return complete(spans);
            },
            TimeSpan.FromSeconds(30),
            () => $"Trace {traceId} is incomplete; spans: " + string.Join(", ", spans.Select(s => $"{s.Service}:{s.Name}")) + "\n" + mesh.Logs("dashboard"),
            TimeSpan.FromMilliseconds(500));
        return spans;
    }
}
