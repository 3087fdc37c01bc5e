using StackExchange.Redis;

namespace Mesh.Quotas.Engine;

/// <summary>One decision's part of a script run: its buckets and, per bucket, <see cref="QuotaScript.ArgsPerKey"/> arguments.</summary>
internal readonly record struct ScriptCall(RedisKey[] Keys, RedisValue[] Args);
