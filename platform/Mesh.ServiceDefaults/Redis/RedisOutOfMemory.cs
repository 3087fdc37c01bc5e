using StackExchange.Redis;

namespace Mesh.ServiceDefaults.Redis;

/// <summary>
/// Redis at its <c>maxmemory</c> under the <c>noeviction</c> policy (how the mesh runs it: evicting a
/// decision record, a lock or a fence would silently break idempotency and fencing) refuses every
/// command that may grow memory with <c>OOM command not allowed when used memory &gt; 'maxmemory'.</c>,
/// inside a script too (followed there by <c>script: &lt;sha&gt;, on @user_script:&lt;line&gt;.</c>).
/// Nothing was written: the same request succeeds once keys expire or an operator adds memory, so
/// callers treat it as transient.
/// </summary>
public static class RedisOutOfMemory
{
    /// <summary>The error code Redis starts the reply with; StackExchange.Redis keeps the reply as the message.</summary>
    public const string ErrorCode = "OOM";

    public static bool Is(Exception exception) =>
        exception is RedisServerException server && server.Message.StartsWith(ErrorCode + " ", StringComparison.Ordinal);
}
