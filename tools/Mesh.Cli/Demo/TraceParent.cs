using System.Diagnostics;

namespace Mesh.Cli.Demo;

/// <summary>A fresh W3C trace context made on the client, so the client knows the trace id before the mesh does.</summary>
public sealed record TraceParent(ActivityTraceId TraceId, ActivitySpanId SpanId)
{
    public const string HeaderName = "traceparent";

    public static TraceParent New() => new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());

    /// <summary>Version 00, sampled, as in https://www.w3.org/TR/trace-context/.</summary>
    public string Header => $"00-{TraceId.ToHexString()}-{SpanId.ToHexString()}-01";
}
