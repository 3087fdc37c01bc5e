using System.Collections.Concurrent;
using Mesh.Testing;
using Microsoft.Extensions.Logging;

namespace Mesh.Messaging.Tests.Support;

/// <summary>Remembers the event ids of everything logged, so a test can wait for a path to be taken.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<EventId> _events = new();

    public int Count(int eventId) => _events.Count(e => e.Id == eventId);

    public Task WaitForAsync(int eventId, int count = 1) => Poll.UntilAsync(
        () => Count(eventId) >= count, MessagingHost.Wait, $"Event {eventId} was not logged {count} time(s).", TimeSpan.FromMilliseconds(20));

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
