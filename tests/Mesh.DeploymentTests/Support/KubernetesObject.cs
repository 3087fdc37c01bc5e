namespace Mesh.DeploymentTests.Support;

/// <summary>One object of the Kubernetes manifests, with the file it came from.</summary>
public sealed record KubernetesObject(string Kind, string Name, Dictionary<string, object?> Body, string File)
{
    public Dictionary<string, object?>? PodSpec =>
        Kind == "Job" || Kind == "Deployment" ? Body.At("spec", "template", "spec") : null;

    public IEnumerable<Dictionary<string, object?>> Containers => PodSpec.Maps("containers");

    /// <summary>Init containers with <c>restartPolicy: Always</c>: native sidecars.</summary>
    public IEnumerable<Dictionary<string, object?>> SidecarContainers =>
        PodSpec.Maps("initContainers").Where(c => c.Text("restartPolicy") == "Always");

    public override string ToString() => $"{Kind}/{Name} ({File})";
}
