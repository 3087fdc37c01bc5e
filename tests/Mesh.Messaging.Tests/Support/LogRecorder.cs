using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mesh.Messaging.Tests.Support;

/// <summary>Remembers the event ids of everything logged, so a test can wait for a path to be taken.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<EventId> _events = new();

    public int Count(int eventId) => _events.Count(e => e.Id == eventId);

    public async Task WaitForAsync(int eventId, int count = 1)
    {
        var deadline = DateTime.UtcNow + MessagingHost.Wait;
        while (Count(eventId) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Event {eventId} was not logged {count} time(s) within {MessagingHost.Wait}.");
            }

            await Task.Delay(20);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(_events);

    public void Dispose()
    {
    }

    private sealed class Recorder(ConcurrentQueue<EventId> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            events.Enqueue(eventId);
    }
}
