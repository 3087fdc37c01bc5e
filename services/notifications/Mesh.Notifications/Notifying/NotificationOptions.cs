using System.ComponentModel.DataAnnotations;

namespace Mesh.Notifications.Notifying;

/// <summary>Section <c>Notifications</c>: how long notifications are kept (the stream bounds are <c>StreamOptions</c>).</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>A user's notifications older than this leave the list when the next one is added.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);
}
