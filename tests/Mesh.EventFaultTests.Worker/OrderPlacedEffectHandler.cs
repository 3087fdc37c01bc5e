using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.EventFaultTests.Worker;

/// <summary>Applies an OrderPlaced exactly once per event id, however often it is delivered.</summary>
public sealed class OrderPlacedEffectHandler(IConnectionMultiplexer redis, IOptions<FaultWorkerOptions> options) : IEventHandler<OrderPlaced>
{
    public async Task HandleAsync(OrderPlaced @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        var keys = new EffectKeys(options.Value.KeyPrefix);
        // Throwing (Redis unreachable) leaves the retry to the library; the script is safe to rerun.
        await redis.GetDatabase().ScriptEvaluateAsync(
            ApplyEffectScript.Lua,
            [keys.Deliveries, keys.Totals, keys.Applied, keys.Duplicates, keys.HandledBy],
            [@event.EventId, @event.OrderId, @event.TotalCents, options.Value.Name]);
    }
}
