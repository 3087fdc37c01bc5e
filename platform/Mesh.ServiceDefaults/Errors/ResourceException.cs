using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>NOT_FOUND for one named resource, with google.rpc.ResourceInfo.</summary>
public sealed class ResourceException : MeshException
{
    private ResourceException(StatusCode code, string resourceType, string resourceName, string message)
        : base(code, message)
    {
        ResourceType = resourceType;
        ResourceName = resourceName;
    }

    public string ResourceType { get; }

    public string ResourceName { get; }

    public override IEnumerable<IMessage> Details =>
        [new ResourceInfo { ResourceType = ResourceType, ResourceName = ResourceName }];

    public static ResourceException NotFound(string resourceType, string resourceName) =>
        new(StatusCode.NotFound, resourceType, resourceName, $"{resourceType} '{resourceName}' was not found.");
}
