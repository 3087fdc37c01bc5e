using StackExchange.Redis;

namespace Mesh.Orders.Ordering;

/// <summary>The keys of one user's orders view in one generation (all under the user's hash tag).</summary>
public readonly record struct OrderViewKeys(RedisKey Items, RedisKey Index, RedisKey Status);
