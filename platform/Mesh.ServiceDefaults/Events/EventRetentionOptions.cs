using System.ComponentModel.DataAnnotations;

namespace Mesh.ServiceDefaults.Events;

/// <summary>
/// How long a service remembers what it did with an event, section <c>Events</c>. Kafka may deliver
/// a record again (a rebalance, a restart, an offset reset) for as long as the topic retains it;
/// the records that make handlers idempotent (decisions, counted ids) must outlive that, and an
/// event older than the horizon is skipped instead of applied, because what it did may have
/// expired already.
/// </summary>
public sealed class EventRetentionOptions
{
    public const string SectionName = "Events";


    /// <summary>
    /// The oldest an event can be when Kafka delivers it: the topics' <c>retention.ms</c> plus
    /// <c>segment.ms</c> (a segment is deleted only once its newest record expired). With the
    /// topics of k8s/base/topics (7 days and 1 day) that is 8 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan RedeliveryHorizon { get; set; } = TimeSpan.FromDays(8);

    /// <summary>
    /// How long decision records and counted event ids live after they were written; at least
    /// <see cref="RedeliveryHorizon"/> plus <see cref="ClockSkewAllowance"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan DecisionRetention { get; set; } = TimeSpan.FromDays(9);

    /// <summary>
    /// How far the clocks of the services may disagree: an event's time is its producer's clock,
    /// the window is checked on the consumer's, so the retention must cover the difference too.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ClockSkewAllowance { get; set; } = TimeSpan.FromHours(1);
}
