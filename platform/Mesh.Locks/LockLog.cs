using Microsoft.Extensions.Logging;

namespace Mesh.Locks;

internal static partial class LockLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Lock {Resource} unavailable: no quorum answered within {WaitMs} ms")]
    public static partial void Unavailable(ILogger logger, string resource, long waitMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lock {Resource} (token {FencingToken}) lost: {Reason}")]
    public static partial void Lost(ILogger logger, string resource, long fencingToken, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Renewing lock {Resource} found no quorum; retrying while its validity lasts")]
    public static partial void RenewalUnavailable(ILogger logger, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing lock {Resource} (token {FencingToken}) answered {Status}; it expires by itself")]
    public static partial void ReleaseFailed(ILogger logger, string resource, long fencingToken, LockStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lock {Resource}: no wake-up subscription ({Error}); its waiters re-check on their own")]
    public static partial void NoWakeups(ILogger logger, string resource, string error);
}
