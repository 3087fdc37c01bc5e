using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mesh.Locks;

/// <summary>The one ActivitySource and Meter of the lock library ("Mesh.Locks").</summary>
internal static class LockTelemetry
{
    public const string Name = "Mesh.Locks";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Grants = Meter.CreateCounter<long>("mesh.locks.grants", description: "Locks granted");

    public static readonly Counter<long> NotGranted = Meter.CreateCounter<long>(
        "mesh.locks.not_granted", description: "Acquisitions that ended without the lock (held or unavailable)");

    public static readonly Counter<long> Lost = Meter.CreateCounter<long>(
        "mesh.locks.lost", description: "Held locks whose renewal failed or whose validity ran out");

    public static readonly Histogram<double> Wait = Meter.CreateHistogram<double>(
        "mesh.locks.wait", unit: "ms", description: "Time from asking for a lock to getting it");
}
