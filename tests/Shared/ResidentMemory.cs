using Probe.Core.Torch;

namespace Probe.Tests;

/// <summary>This process's resident memory for soak tests, read by the runtime's <see cref="ProcessMemory"/>; ignores the test where /proc is absent.</summary>
public static class ResidentMemory
{
    public static double MiB()
    {
        if (!File.Exists("/proc/self/status")) Assert.Ignore("no /proc/self/status on this platform");
        return ProcessMemory.CurrentMiB();
    }
}
