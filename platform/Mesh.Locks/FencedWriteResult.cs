using StackExchange.Redis;

namespace Mesh.Locks;

/// <summary>
/// Whether a fenced write ran. When rejected, <see cref="HighestToken"/> is the newer token that a
/// later holder already wrote with; when applied, <see cref="Reply"/> is what the write returned.
/// </summary>
public readonly record struct FencedWriteResult(bool Applied, long HighestToken, RedisResult? Reply);
