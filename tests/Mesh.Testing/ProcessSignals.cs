using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Mesh.Testing;

/// <summary>
/// SIGSTOP and SIGCONT for a process under test: a stopped server keeps its connections open and
/// answers nothing, which is what a hung host or a long GC pause looks like to its clients (and what
/// killing it, which refuses connections at once, does not show). SIGTERM asks it to shut down
/// gracefully, as Kubernetes does.
/// </summary>
public static partial class ProcessSignals
{
    // Linux's numbers; the tests run on Linux only (redis-server from PATH, Debian's).
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    public static void Stop(int processId) => Send(processId, SigStop);

    public static void Continue(int processId) => Send(processId, SigCont);

    public static void Terminate(int processId) => Send(processId, SigTerm);

    private static void Send(int processId, int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Signals are sent with Linux's numbers.");
        }

        if (Kill(processId, signal) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"Signal {signal} to process {processId} failed.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int processId, int signal);
}
