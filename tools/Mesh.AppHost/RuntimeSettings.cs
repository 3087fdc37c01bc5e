namespace Mesh.AppHost;

/// <summary>
/// The .NET runtime settings every Mesh component runs with, here as in its container image (the
/// Dockerfile's ENV) and under <c>./mesh.sh bench</c>; tests/Mesh.DeploymentTests checks that the
/// three agree.
/// </summary>
internal static class RuntimeSettings
{
    public const string Gen0BudgetVariable = "DOTNET_GCgen0size";

    /// <summary>
    /// A 16 MiB gen-0 budget (hexadecimal bytes, as the runtime reads it) instead of the server GC's
    /// small dynamic one. A consumer holds the records it has fetched and not yet finished, so each
    /// gen-0 collection promotes some, and the next allocations land on memory that must be mapped
    /// and zeroed again: with the default budget that zeroing was a quarter of the consumer's CPU.
    /// Fewer, larger gen-0 collections cost memory: up to 16 MiB more heap per GC heap (the sidecar
    /// measured 20-40 MB more). See docs/BENCHMARKS.md (Events, run V). The runtime reads it from the
    /// environment only (it has no runtimeconfig name).
    /// </summary>
    public const string Gen0Budget = "0x1000000";

    /// <summary>The budget the components get: the AppHost's own <c>DOTNET_GCgen0size</c> when set (0 is the runtime's default), else <see cref="Gen0Budget"/>.</summary>
    public static string Gen0BudgetForComponents() =>
        Environment.GetEnvironmentVariable(Gen0BudgetVariable) is { Length: > 0 } chosen ? chosen : Gen0Budget;
}
