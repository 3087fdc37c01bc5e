using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Mesh.Messaging;

/// <summary>Routes librdkafka's own log lines into ILogger instead of stderr.</summary>
internal static class KafkaLogBridge
{
    /// <param name="ceiling">The highest level written, for a client whose failures matter little (a gauge's, say).</param>
    public static void Write(ILogger logger, LogMessage message, LogLevel ceiling = LogLevel.Critical)
    {
        var level = (LogLevel)Math.Min((int)ceiling, (int)(message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
            SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        }));
        if (logger.IsEnabled(level))
        {
            logger.Log(level, "librdkafka {Client} {Facility}: {Message}", message.Name, message.Facility, message.Message);
        }
    }
}
