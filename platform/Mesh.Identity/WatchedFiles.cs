using Microsoft.Extensions.Logging;

namespace Mesh.Identity;

/// <summary>
/// Something loaded from files and loaded again when they change: a file watcher on their folders,
/// and a periodic check of their times and sizes for the symlink swaps Kubernetes uses to update
/// mounted Secrets, which watchers can miss. A new value is built whole and swapped in; one that
/// does not load (a file half written) is ignored until the next change, keeping the last good value.
/// </summary>
public sealed partial class WatchedFiles<T> : IDisposable where T : class
{
    private readonly string[] _files;
    private readonly Func<T> _load;
    private readonly ILogger _logger;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _timer;
    private readonly Lock _reloading = new();
    private (T Value, string Stamp) _current;

    public WatchedFiles(IEnumerable<string> files, Func<T> load, TimeSpan checkEvery, ILogger logger)
    {
        _files = [.. files.Select(Path.GetFullPath)];
        _load = load;
        _logger = logger;
        _current = (load(), Stamp());
        foreach (var directory in _files.Select(Path.GetDirectoryName).Distinct().OfType<string>())
        {
            var watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = false, EnableRaisingEvents = true };
            watcher.Changed += (_, _) => Reload();
            watcher.Created += (_, _) => Reload();
            watcher.Renamed += (_, _) => Reload();
            _watchers.Add(watcher);
        }

        _timer = new Timer(_ => Reload(), null, checkEvery, checkEvery);
    }

    public T Current => _current.Value;

    /// <summary>Raised after changed files were loaded.</summary>
    public event Action<T>? Reloaded;

    public void Dispose()
    {
        _timer.Dispose();
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
    }

    /// <summary>Loads the files again if they changed since the last load.</summary>
    public void Reload()
    {
        T loaded;
        lock (_reloading)
        {
            var stamp = Stamp();
            if (stamp == _current.Stamp)
            {
                return;
            }

            try
            {
                loaded = _load();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException
                or System.Security.Cryptography.CryptographicException or InvalidOperationException or ArgumentException)
            {
                LogReloadFailed(string.Join(", ", _files), exception.GetType().Name, exception.Message);
                return;
            }

            _current = (loaded, stamp);
        }

        Reloaded?.Invoke(loaded);
    }

    private string Stamp() => string.Join("|", _files.Select(f =>
    {
        var info = new FileInfo(f);
        return info.Exists ? $"{info.LastWriteTimeUtc.Ticks}:{info.Length}" : "-";
    }));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Changed files {Files} did not load ({ExceptionType}: {Reason}); keeping what was loaded before")]
    private partial void LogReloadFailed(string files, string exceptionType, string reason);
}
