using Hangfire.Logging;
using MsLogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace MailRapport.Server.Scheduling;

/// <summary>
/// Hangfire's log provider is process-wide; Hangfire's own ASP.NET Core provider throws once the host whose logger
/// factory it holds is disposed, which breaks any other host in the process (tests run several). This one falls
/// back to no logging instead.
/// </summary>
internal sealed class HangfireLogging(ILoggerFactory factory) : ILogProvider
{
    public ILog GetLogger(string name)
    {
        try { return new Adapter(factory.CreateLogger(name)); }
        catch (ObjectDisposedException) { return new Adapter(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance); }
    }

    private sealed class Adapter(ILogger logger) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            var level = logLevel switch
            {
                Hangfire.Logging.LogLevel.Trace => MsLogLevel.Trace,
                Hangfire.Logging.LogLevel.Debug => MsLogLevel.Debug,
                Hangfire.Logging.LogLevel.Info => MsLogLevel.Information,
                Hangfire.Logging.LogLevel.Warn => MsLogLevel.Warning,
                Hangfire.Logging.LogLevel.Error => MsLogLevel.Error,
                _ => MsLogLevel.Critical,
            };
            if (messageFunc is null) return logger.IsEnabled(level);
            if (logger.IsEnabled(level)) logger.Log(level, 0, messageFunc(), exception, static (message, _) => message);
            return true;
        }
    }
}
