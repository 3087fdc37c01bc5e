using System.Diagnostics;
using Mesh.Contracts.Events.V1;

namespace Mesh.Messaging.Tests.Support;

public sealed record HandledOrder(OrderPlaced Order, EventMetadata Metadata, Activity? Activity, string? TenantBaggage);
