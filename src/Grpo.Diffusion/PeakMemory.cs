namespace Probe.Grpo;

/// <summary>Peak resident memory of this process on Linux: VmHWM from /proc/self/status, resettable through /proc/self/clear_refs.</summary>
internal static class PeakMemory
{
    /// <summary>Resets the high-water mark to the current RSS (writing 5 to clear_refs); false where unsupported.</summary>
    public static bool Reset()
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

    /// <summary>VmHWM in MiB, or null where /proc is unavailable.</summary>
    public static double? PeakMiB()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        return null;
    }
}
