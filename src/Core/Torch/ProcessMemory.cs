using System.Globalization;

namespace Probe.Core.Torch;

/// <summary>
/// Resident memory of this process for benchmarks: VmRSS and the high-water mark VmHWM from /proc/self/status
/// (Linux), the high-water mark resettable through /proc/self/clear_refs; the working set elsewhere.
/// </summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size in MiB.</summary>
    public static double CurrentMiB() => ReadStatusKiB("VmRSS") is { } kib ? kib / 1024.0 : Environment.WorkingSet / 1048576.0;

    /// <summary>Peak resident set size in MiB since start or the last <see cref="ResetPeak"/>; null where /proc is absent.</summary>
    public static double? PeakMiB() => ReadStatusKiB("VmHWM") is { } kib ? kib / 1024.0 : null;

    /// <summary>Resets the high-water mark to the current RSS (writing 5 to clear_refs); false where unsupported.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    static long? ReadStatusKiB(string key)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return null;
    }
}
