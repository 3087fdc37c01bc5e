namespace Mesh.Bench.Saga;

/// <summary>What <c>./mesh.sh bench saga</c> runs: the built services, its Redis and the load's shape.</summary>
public sealed record SagaSettings(
    string Redis,
    string GatewayDll,
    string UsersDll,
    string OrdersDll,
    string NotificationsDll,
    int Users,
    IReadOnlyList<int> Rates,
    int Concurrency,
    TimeSpan Phase);
