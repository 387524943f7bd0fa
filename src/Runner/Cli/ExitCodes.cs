namespace Probe.Runner.Cli;

/// <summary>Process exit codes, stable for scripts and release pipelines.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The command ran and its verdict is negative (a release gate failed, a check found a problem).</summary>
    public const int Failed = 1;
    /// <summary>Bad input: a file, option or configuration the user can fix.</summary>
    public const int UserError = 2;
    /// <summary>A bug or an environment problem Probe did not anticipate.</summary>
    public const int InternalError = 3;
    /// <summary>Interrupted (Ctrl+C); work written so far is kept and the run can resume.</summary>
    public const int Cancelled = 130;
}
