namespace Mesh.EventFaultTests.Worker;

/// <summary>Section <c>FaultWorker</c>: where the effects go and under which name this process counts its work.</summary>
public sealed class FaultWorkerOptions
{
    public const string SectionName = "FaultWorker";

    /// <summary>StackExchange.Redis configuration string.</summary>
    public string Redis { get; set; } = "";

    /// <summary>Hash tag of the run's keys (see <see cref="EffectKeys"/>).</summary>
    public string KeyPrefix { get; set; } = "faults";

    /// <summary>This process's name in the handled-by hash.</summary>
    public string Name { get; set; } = "worker";
}
