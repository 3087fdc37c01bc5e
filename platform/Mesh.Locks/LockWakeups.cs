using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.Locks;

/// <summary>
/// The wake-ups of one process's queued waiters on one connection: one SUBSCRIBE per resource that
/// someone here waits for (<see cref="LockKeys.Wake"/>), dropped when its last waiter leaves. A
/// message names the waiter whose turn it is, and only that waiter is rung.
/// </summary>
internal sealed class LockWakeups
{
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Action<RedisChannel, RedisValue> _onMessage;
    private readonly Dictionary<string, (int Waiters, Task Subscribed)> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LockWakeup> _waiters = new(StringComparer.Ordinal);

    public LockWakeups(IConnectionMultiplexer redis, TimeSpan timeout, TimeProvider clock, ILogger logger)
    {
        _redis = redis;
        _timeout = timeout;
        _clock = clock;
        _logger = logger;
        _onMessage = (_, message) =>
        {
            // "<waiter id>" (your turn: ask) or "<waiter id> <token>" (the lock is yours).
            var text = message.ToString();
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var waiterId = space < 0 ? text : text[..space];
            var handed = space < 0 || !long.TryParse(text.AsSpan(space + 1), out var token) ? 0 : token;
            if (_waiters.TryGetValue(waiterId, out var waiter))
            {
                waiter.Ring(handed);
            }
        };
    }

    /// <summary>
    /// A doorbell for <paramref name="waiterId"/>, once the resource's channel is subscribed (so that
    /// no wake-up after the waiter queues is missed). A subscription that fails or is slow costs only
    /// promptness: the waiter still re-checks on its own.
    /// </summary>
    public async Task<LockWakeup> RegisterAsync(string resource, string waiterId, CancellationToken cancellationToken)
    {
        var channel = LockKeys.Wake(resource);
        Task subscribed;
        lock (_channels)
        {
            var (waiters, task) = _channels.GetValueOrDefault(channel);
            subscribed = waiters == 0 ? _redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel), _onMessage) : task;
            _channels[channel] = (waiters + 1, subscribed);
        }

        var wakeup = new LockWakeup(this, resource, waiterId, _clock);
        _waiters[waiterId] = wakeup;

        try
        {
            await subscribed.WaitAsync(_timeout, _clock, cancellationToken);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LockLog.NoWakeups(_logger, resource, exception.Message);
        }
        catch
        {
            // Cancelled (or worse): this waiter never queues.
            wakeup.Dispose();
            throw;
        }

        return wakeup;
    }

    public void Unregister(LockWakeup wakeup)
    {
        _waiters.TryRemove(wakeup.WaiterId, out _);
        var channel = LockKeys.Wake(wakeup.Resource);
        lock (_channels)
        {
            if (!_channels.TryGetValue(channel, out var entry))
            {
                return;
            }

            var (waiters, subscribed) = entry;
            if (waiters > 1)
            {
                _channels[channel] = (waiters - 1, subscribed);
                return;
            }

            _channels.Remove(channel);
            // In order with any later SUBSCRIBE on the same connection; nothing waits for the answer.
            _redis.GetSubscriber().Unsubscribe(RedisChannel.Literal(channel), _onMessage, CommandFlags.FireAndForget);
        }
    }
}
