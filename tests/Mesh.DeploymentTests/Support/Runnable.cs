namespace Mesh.DeploymentTests.Support;

/// <summary>
/// A process that the mesh deploys (the gateway, a service, the sidecar): where its project is,
/// what its appsettings.json configures and whether it talks to Kafka.
/// </summary>
/// <param name="Name">The name used everywhere in deployment: compose service, Deployment, image.</param>
/// <param name="ProjectDirectory">Repository-relative folder of the project: the Dockerfile's PROJECT.</param>
/// <param name="ProjectFile">Repository-relative .csproj path.</param>
/// <param name="Settings">Keys and values of its appsettings.json.</param>
/// <param name="UsesKafka">True when the project references Mesh.Messaging.</param>
public sealed record Runnable(
    string Name,
    string ProjectDirectory,
    string ProjectFile,
    IReadOnlyDictionary<string, string?> Settings,
    bool UsesKafka)
{
    public override string ToString() => Name;
}
