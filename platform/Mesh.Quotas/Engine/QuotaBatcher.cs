using System.Threading.Channels;
using StackExchange.Redis;

namespace Mesh.Quotas.Engine;

/// <summary>
/// Coalesces decisions that arrive while earlier script runs are in flight into one run of the
/// script (each decision stays atomic and all-or-nothing on its own). Under light load a decision
/// goes out alone at once; under heavy load Redis runs one EVALSHA per batch instead of one per
/// call. A decision whose caller has given up by the time its batch leaves is not sent, so no
/// tokens are taken for a call that was already answered; a batch may take only as long as its
/// oldest decision has left, so no caller waits past its own timeout.
/// </summary>
internal sealed class QuotaBatcher : IAsyncDisposable
{
    private const int MaxDecisions = 128;
    private const int MaxInFlight = 4;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight);
    private readonly Func<IReadOnlyList<ScriptCall>, TimeSpan, Task<RedisResult[][]>> _run;
    private readonly TimeProvider _clock;
    private readonly Task _loop;

    /// <param name="run">Runs a batch's calls within the time given, their results in the same order.</param>
    public QuotaBatcher(Func<IReadOnlyList<ScriptCall>, TimeSpan, Task<RedisResult[][]>> run, TimeProvider clock)
    {
        _run = run;
        _clock = clock;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The call's results, or a <see cref="TimeoutException"/> once <paramref name="timeout"/> has passed.</summary>
    public Task<RedisResult[]> SubmitAsync(ScriptCall call, TimeSpan timeout)
    {
        var pending = new Pending(call, _clock.GetTimestamp() + (long)(timeout.TotalSeconds * _clock.TimestampFrequency));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(QuotaBatcher));
        }

        return pending.Result.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _inFlight.Dispose();
    }

    private async Task LoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            await _inFlight.WaitAsync();
            var batch = new List<Pending>();
            var now = _clock.GetTimestamp();
            while (batch.Count < MaxDecisions && reader.TryRead(out var pending))
            {
                if (now > pending.Deadline)
                {
                    pending.Result.TrySetException(new TimeoutException("The quota decision waited too long to be sent to Redis."));
                    continue;
                }

                batch.Add(pending);
            }

            _ = SendAsync(batch, now);
        }
    }

    private async Task SendAsync(List<Pending> batch, long now)
    {
        if (batch.Count == 0)
        {
            _inFlight.Release();
            return;
        }

        RedisResult[][]? results = null;
        Exception? failure = null;
        try
        {
            // Deadlines grow in arrival order: the first decision has the least time left.
            var timeLeft = TimeSpan.FromSeconds((double)(batch[0].Deadline - now) / _clock.TimestampFrequency);
            var calls = new ScriptCall[batch.Count];
            for (var i = 0; i < calls.Length; i++)
            {
                calls[i] = batch[i].Call;
            }

            results = await _run(calls, timeLeft);
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        finally
        {
            _inFlight.Release();
        }

        // Each caller goes on on this thread, one after the other, up to its own next wait (its
        // response written): one thread-pool hop per batch instead of one per decision.
        for (var i = 0; i < batch.Count; i++)
        {
            if (failure is null)
            {
                batch[i].Result.TrySetResult(results![i]);
            }
            else
            {
                batch[i].Result.TrySetException(failure);
            }
        }
    }

    private sealed record Pending(ScriptCall Call, long Deadline)
    {
        public TaskCompletionSource<RedisResult[]> Result { get; } = new();
    }
}
