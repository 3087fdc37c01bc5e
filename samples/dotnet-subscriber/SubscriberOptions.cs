using System.ComponentModel.DataAnnotations;

namespace Mesh.Samples.DotnetSubscriber;

/// <summary>Section <c>Subscriber</c>: where to record what this service saw, and when to stop.</summary>
public sealed class SubscriberOptions
{
    public const string SectionName = "Subscriber";

    /// <summary>A JSON line per confirmed order (a <c>subscriber.v1.SeenOrder</c>), appended.</summary>
    [Required]
    public string OutputFile { get; set; } = "seen-orders.jsonl";

    /// <summary>Stop once this many distinct orders were recorded; 0 runs until stopped (a test or a demo sets it).</summary>
    [Range(0, int.MaxValue)]
    public int StopAfter { get; set; }
}
