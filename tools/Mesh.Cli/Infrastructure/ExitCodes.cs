namespace Mesh.Cli.Infrastructure;

/// <summary>The exit codes scripts can rely on: the conventional 0, 1 and 2.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and failed (a broker refused, a record could not be redriven, ...).</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong: nothing was done.</summary>
    public const int Usage = 2;
}
