using Mesh.Quotas.Configuration;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Mesh.Quotas.Engine;

/// <summary>
/// The circuit breaker in front of Redis: once enough decisions failed or timed out, calls stop
/// waiting for Redis and take their policies' failure mode at once; a probe after the break
/// closes it again when Redis is back.
/// </summary>
internal static partial class QuotaBreaker
{
    public static ResiliencePipeline Build(QuotaBreakerOptions options, TimeProvider clock, QuotaMetrics metrics, ILogger logger) =>
        new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutException>(),
                OnOpened = args =>
                {
                    LogOpened(logger, args.BreakDuration.TotalSeconds, args.Outcome.Exception?.Message ?? "");
                    metrics.BreakerChanged("open");
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    metrics.BreakerChanged("half_open");
                    return default;
                },
                OnClosed = _ =>
                {
                    LogClosed(logger);
                    metrics.BreakerChanged("closed");
                    return default;
                },
            })
            .Build();

    [LoggerMessage(LogLevel.Error, "Quota circuit breaker opened for {BreakSeconds} s: Redis is failing ({Reason}); policies take their failure mode.")]
    private static partial void LogOpened(ILogger logger, double breakSeconds, string reason);

    [LoggerMessage(LogLevel.Warning, "Quota circuit breaker closed: Redis decides again.")]
    private static partial void LogClosed(ILogger logger);
}
