using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mesh.Messaging.Tests.Support;

/// <summary>Records every stopped Mesh.Messaging activity while alive; filter by trace id, as tests run in parallel.</summary>
public sealed class ActivityRecorder : IDisposable
{
    public static readonly ActivitySource TestSource = new("Mesh.Messaging.Tests");

    private readonly ActivityListener _listener;

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is MessagingTelemetry.ActivitySourceName or "Mesh.Messaging.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped.Add,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentBag<Activity> Stopped { get; } = [];

    public Activity Single(ActivityTraceId traceId, ActivityKind kind) =>
        Stopped.Single(a => a.TraceId == traceId && a.Kind == kind && a.Source.Name == MessagingTelemetry.ActivitySourceName);

    public void Dispose() => _listener.Dispose();
}
