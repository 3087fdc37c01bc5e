using System.Text.Json;

namespace Mesh.Cli.Infrastructure;

/// <summary>What <c>./mesh.sh up</c> wrote to <c>.mesh/endpoints.json</c>, as far as the CLI needs it.</summary>
public sealed record MeshEndpoints(string? Gateway, string? Dashboard)
{
    public const string RelativePath = ".mesh/endpoints.json";

    public static MeshEndpoints None { get; } = new(null, null);

    /// <summary>
    /// Reads the given file, or else the first <c>.mesh/endpoints.json</c> found walking up from the
    /// current directory and then from the CLI's own folder (which lies inside the repository).
    /// </summary>
    public static MeshEndpoints Load(FileInfo? file)
    {
        var path = PathOf(file);
        if (path is null)
        {
            return None;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return new MeshEndpoints(Read(document.RootElement, "gateway"), Read(document.RootElement, "dashboard"));
    }

    /// <summary>The address a component was started on (e.g. <c>users</c>), from the same file <see cref="Load"/> reads.</summary>
    public static string? AddressOf(string component, FileInfo? file)
    {
        var path = PathOf(file);
        if (path is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return Read(document.RootElement, component);
    }

    /// <summary>
    /// The address of a component, or why there is none: no endpoints file (the mesh is not running;
    /// <paramref name="alternative"/> names the option that does without it) or no entry for it.
    /// </summary>
    public static (string? Address, string? Problem) Lookup(string component, FileInfo? file, string alternative)
    {
        var path = PathOf(file);
        if (path is null)
        {
            return (null, file is null
                ? $"no {RelativePath}: start the mesh first with ./mesh.sh up (in another terminal), or pass {alternative}"
                : $"{file.FullName} does not exist: pass another --endpoints, or {alternative}");
        }

        return AddressOf(component, file) is { Length: > 0 } address
            ? (address, null)
            : (null, $"{Path.GetRelativePath(Environment.CurrentDirectory, path)} has no address for {component}");
    }

    /// <summary>The given file, or the nearest <c>.mesh/endpoints.json</c>; null when there is none.</summary>
    public static string? PathOf(FileInfo? file)
    {
        var path = file?.FullName ?? Find(Environment.CurrentDirectory) ?? Find(AppContext.BaseDirectory);
        return path is not null && File.Exists(path) ? path : null;
    }

    private static string? Find(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, RelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? Read(JsonElement root, string key) =>
        root.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
