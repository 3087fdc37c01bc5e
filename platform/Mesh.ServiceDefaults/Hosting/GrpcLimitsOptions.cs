using System.ComponentModel.DataAnnotations;

namespace Mesh.ServiceDefaults.Hosting;

/// <summary>Section <c>Grpc</c>: what a server accepts before it parses anything.</summary>
public sealed class GrpcLimitsOptions
{
    public const string SectionName = "Grpc";

    /// <summary>
    /// The largest request message, in bytes; a larger one is refused with RESOURCE_EXHAUSTED from
    /// its length prefix, before it is read or parsed. Every Mesh request fits in a few KiB.
    /// </summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxReceiveMessageSize { get; set; } = 64 * 1024;
}
