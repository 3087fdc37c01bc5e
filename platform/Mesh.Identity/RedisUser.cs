namespace Mesh.Identity;

/// <summary>One Redis ACL user: its key patterns, pub/sub channel patterns and command rules.</summary>
public sealed record RedisUser(string Name, IReadOnlyList<string> Keys, IReadOnlyList<string> Channels, string Commands);
