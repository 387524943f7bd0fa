namespace Probe.Tests;

/// <summary>This process's resident memory (VmRSS) for soak tests; ignores the test where /proc is absent.</summary>
public static class ResidentMemory
{
    public static double MiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        Assert.Ignore("no /proc/self/status on this platform");
        return 0;
    }
}
