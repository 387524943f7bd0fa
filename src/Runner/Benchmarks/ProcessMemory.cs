namespace Probe.Runner.Benchmarks;

/// <summary>Resident memory of this process from /proc (Linux); falls back to the working set elsewhere.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size in MiB (VmHWM).</summary>
    public static double PeakRssMiB() => ReadStatusKiB("VmHWM") is { } kib ? kib / 1024.0 : Environment.WorkingSet / 1048576.0;

    /// <summary>Current resident set size in MiB (VmRSS).</summary>
    public static double CurrentRssMiB() => ReadStatusKiB("VmRSS") is { } kib ? kib / 1024.0 : Environment.WorkingSet / 1048576.0;

    static long? ReadStatusKiB(string key)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }
}
