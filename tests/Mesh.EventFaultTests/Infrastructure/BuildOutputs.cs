using Mesh.Testing;

namespace Mesh.EventFaultTests.Infrastructure;

/// <summary>The programs these tests start as processes.</summary>
public static class BuildOutputs
{
    public static string Worker => Runnables.Of("tests/Mesh.EventFaultTests.Worker", "Mesh.EventFaultTests.Worker.dll");
}
