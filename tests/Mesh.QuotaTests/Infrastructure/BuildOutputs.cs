using Mesh.Testing;

namespace Mesh.QuotaTests.Infrastructure;

/// <summary>The programs these tests start as processes.</summary>
public static class BuildOutputs
{
    public static string Gateway => Runnables.Of("gateway/Mesh.Gateway", "Mesh.Gateway.dll");

    public static string Sidecar => Runnables.Of("services/sidecar/Mesh.Sidecar", "Mesh.Sidecar.dll");
}
