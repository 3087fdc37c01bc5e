using System.ComponentModel.DataAnnotations;

namespace Mesh.ServiceDefaults.Redis;

public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6380</c> or <c>redis:6379,ssl=true</c>.</summary>
    [Required]
    public string Configuration { get; set; } = "";

    /// <summary>The ACL user this service connects as (each service has its own; see Mesh.Identity.RedisAccess).</summary>
    public string User { get; set; } = "";

    /// <summary>A file holding the user's password (a mounted Secret), so the password is on no command line and in no environment.</summary>
    public string PasswordFile { get; set; } = "";

    /// <summary>PEM certificates of the CA that signed Redis's TLS certificate, when it is not in the system's store.</summary>
    public string TrustBundleFile { get; set; } = "";

    /// <summary>How often each process reads INFO (and advances its key census) for the <c>Mesh.Redis</c> metrics.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How many keys the key census may visit per poll and master node (SCAN's COUNT): a pass over
    /// a node takes its key count divided by this many polls. 0 turns the census off.
    /// </summary>
    [Range(0, 1_000_000)]
    public int KeyScanBudget { get; set; } = 10_000;
}
