using System.ComponentModel.DataAnnotations;

namespace Mesh.Locks;

/// <summary>Where locks live and the defaults of an acquisition.</summary>
public sealed class LockOptions
{
    public const string SectionName = "Locks";

    /// <summary>
    /// Independent Redis masters (StackExchange.Redis configuration strings) for a Redlock quorum.
    /// Empty means the process's own Redis (<c>Redis:Configuration</c>) as a single instance.
    /// </summary>
    public List<string> Masters { get; set; } = [];

    /// <summary>How long a lock lives unless its holder extends it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an acquisition keeps trying while the lock is held by someone else.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan WaitTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Redlock: pause between attempts (randomised by ±50 % so waiters do not retry in lockstep).
    /// A single Redis queues its waiters instead (<see cref="QueueRecheckInterval"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Single Redis: how often a queued waiter re-checks the lock without being woken, which bounds
    /// what a lost wake-up or a holder whose key expired unreleased costs. A waiter that has not
    /// re-checked for twice this plus <see cref="MasterTimeout"/> (a crashed process) loses its place.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan QueueRecheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Longest wait for one master's answer. Redlock wants it small next to the expiry, so that a
    /// dead master costs little of the lock's validity.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan MasterTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait for a Redlock master's connection at start (the process starts anyway).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a resource's fencing counter outlives its last grant. Tokens keep growing across
    /// its expiry (they follow the server's clock), so this only bounds the keys that resources
    /// used once leave behind, e.g. one per idempotency key a client invents.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan FenceRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Share of the expiry assumed lost to clock drift between masters (Redlock's drift factor).</summary>
    [Range(0.0, 0.5)]
    public double ClockDriftFactor { get; set; } = 0.01;
}
