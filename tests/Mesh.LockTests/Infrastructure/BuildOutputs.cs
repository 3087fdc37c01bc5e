using Mesh.Testing;

namespace Mesh.LockTests.Infrastructure;

/// <summary>The programs these tests start as processes.</summary>
public static class BuildOutputs
{
    public static string Sidecar => Runnables.Of("services/sidecar/Mesh.Sidecar", "Mesh.Sidecar.dll");

    public static string Worker => Runnables.Of("tests/Mesh.LockTests.Worker", "Mesh.LockTests.Worker.dll");
}
