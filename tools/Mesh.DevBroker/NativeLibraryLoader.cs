using System.Reflection;
using System.Runtime.InteropServices;

namespace Mesh.DevBroker;

/// <summary>
/// Points this assembly's P/Invokes at a librdkafka build that loads on the current machine.
/// On Debian 12 the default linux-x64 <c>librdkafka.so</c> of librdkafka.redist needs
/// <c>libsasl2.so.3</c>, which Debian does not ship; <c>centos8-librdkafka.so</c> beside it only
/// needs glibc. Confluent's own <c>Library.Load</c> is not used because it dlopens through an
/// unversioned <c>libdl</c> that Debian does not have either.
/// </summary>
internal static class NativeLibraryLoader
{
    private static readonly string[] LinuxCandidates = ["centos8-librdkafka.so", "librdkafka.so"];

    // SetDllImportResolver may be called only once per assembly, so registration is process-wide.
    private static readonly Lazy<bool> Registration = new(() =>
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
        return true;
    });

    public static void EnsureRegistered() => _ = Registration.Value;

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibRdKafka.LibraryName || !OperatingSystem.IsLinux())
        {
            return 0; // Default probing: runtimes/<rid>/native from the deps.json on macOS and Windows.
        }

        var rid = "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var directory = Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native");
        foreach (var candidate in LinuxCandidates)
        {
            if (NativeLibrary.TryLoad(Path.Combine(directory, candidate), out var handle))
            {
                return handle;
            }
        }

        return 0;
    }
}
