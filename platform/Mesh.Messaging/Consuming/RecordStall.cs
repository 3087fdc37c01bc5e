namespace Mesh.Messaging.Consuming;

/// <summary>
/// One record in transient retry: where it is, since when, how many attempts and the last error.
/// Written only by its record's task; read by the gauges and the health check, hence volatile.
/// </summary>
internal sealed class RecordStall(string topic, int partition, string key, long offset, DateTimeOffset since)
{
    private volatile string _lastErrorType = "";
    private volatile int _attempts;
    private long _lastFailedTicks = since.UtcTicks;

    public string Topic => topic;

    public int Partition => partition;

    public string Key => key;

    public long Offset => offset;

    /// <summary>The first transient failure.</summary>
    public DateTimeOffset Since { get; } = since;

    public string LastErrorType => _lastErrorType;

    public int Attempts => _attempts;

    public DateTimeOffset LastFailed => new(Interlocked.Read(ref _lastFailedTicks), TimeSpan.Zero);

    /// <summary>When the "still stalled" warning was last logged (the owner's only).</summary>
    public DateTimeOffset LastLogged { get; set; } = since;

    public void Failed(Exception cause, int attempts, DateTimeOffset at)
    {
        _lastErrorType = cause.GetType().FullName ?? cause.GetType().Name;
        _attempts = attempts;
        Interlocked.Exchange(ref _lastFailedTicks, at.UtcTicks);
    }
}
