namespace Mesh.DevBroker;

/// <summary>
/// The file other processes (mesh.sh, tests) poll for the broker address. It is written whole
/// through a rename, so a reader never sees a partial address, and removed on exit, so a stale
/// address never outlives the cluster.
/// </summary>
internal static class BootstrapFile
{
    public static async Task WriteAsync(string path, string bootstrap, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var temporary = $"{fullPath}.{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(temporary, bootstrap + Environment.NewLine, cancellationToken);
        File.Move(temporary, fullPath, overwrite: true);
    }

    public static void Delete(string path, string bootstrap)
    {
        // Another broker may have replaced the file since; only remove our own address.
        if (File.Exists(path) && File.ReadAllText(path).Trim() == bootstrap)
        {
            File.Delete(path);
        }
    }
}
