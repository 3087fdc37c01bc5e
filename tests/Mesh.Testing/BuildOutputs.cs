namespace Mesh.Testing;

/// <summary>The programs that tests start as processes, from their build output (<see cref="Runnables"/>).</summary>
public static class BuildOutputs
{
    public static string Gateway => Runnables.Of("gateway/Mesh.Gateway", "Mesh.Gateway.dll");

    public static string Sidecar => Runnables.Of("services/sidecar/Mesh.Sidecar", "Mesh.Sidecar.dll");

    public static string LockWorker => Runnables.Of("tests/Mesh.LockTests.Worker", "Mesh.LockTests.Worker.dll");

    public static string EventWorker => Runnables.Of("tests/Mesh.EventFaultTests.Worker", "Mesh.EventFaultTests.Worker.dll");
}
