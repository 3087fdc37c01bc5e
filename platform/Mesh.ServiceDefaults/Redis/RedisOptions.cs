using System.ComponentModel.DataAnnotations;

namespace Mesh.ServiceDefaults.Redis;

public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6380</c> or <c>redis:6379,password=...</c>.</summary>
    [Required]
    public string Configuration { get; set; } = "";
}
