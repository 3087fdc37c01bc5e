using StackExchange.Redis;

namespace Mesh.ServiceDefaults.Redis;

/// <summary>
/// Redis failures that pass once Redis is reachable, writable and done with what keeps it busy: a
/// consumer registers <see cref="IsTransient"/> with <c>TreatAsTransient</c> (Mesh.Messaging), so
/// that its records wait out a Redis outage instead of being dead-lettered.
/// </summary>
public static class RedisTransientFailures
{
    /// <summary>
    /// Server errors that describe the server's state, not the command. StackExchange.Redis makes
    /// the server's error reply the exception's message as it is (<c>LOADING Redis is loading the
    /// dataset in memory</c>), so the first word is Redis's error code; Redis 7 keeps that code on
    /// an error raised inside a script too. Matched as a whole word: <c>BUSYKEY</c> and
    /// <c>BUSYGROUP</c> are errors of the command, not of the server's state. <c>OOM</c> is a Redis at
    /// <c>maxmemory</c> under <c>noeviction</c> (the mesh's policy): writes pass again once keys
    /// expire or memory is added, and meanwhile the stall shows in metrics and readiness, which a
    /// dead-lettered record would not.
    /// </summary>
    private static readonly string[] ServerStates = ["LOADING", "READONLY", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "BUSY", "OOM", "NOREPLICAS"];

    /// <summary>
    /// True for a connection failure, a timeout, or a server error saying Redis is loading, a
    /// read-only replica, a cluster without quorum or in resharding, a replica without its master,
    /// busy running a script, out of memory, or without the replicas it needs to accept a write.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RedisConnectionException => true,
        RedisTimeoutException => true,
        RedisServerException server => ServerStates.Contains(ErrorCode(server.Message), StringComparer.Ordinal),
        _ => false,
    };

    private static string ErrorCode(string message)
    {
        var end = message.IndexOf(' ', StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
