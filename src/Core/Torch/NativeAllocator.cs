using System.Runtime.InteropServices;

namespace Probe.Core.Torch;

/// <summary>
/// Tunes glibc's allocator for libtorch on CPU. A UNet forward allocates and frees hundreds of megabytes of
/// activations; by default glibc returns freed memory at the top of the heap to the kernel, so the next forward
/// page-faults every page again (measured: 2.97 s → 1.84 s per SD 2.1 UNet forward at 32×32 latents, batch 2, on
/// 2 cores). Keeping a pad of freed memory (M_TOP_PAD) removes that cost for a bounded amount of resident memory.
/// Process-wide, so it is opt-in: the probe command line calls it at start-up.
/// </summary>
public static partial class NativeAllocator
{
    const int MTopPad = -2;

    /// <summary>Environment variable that overrides the pad in MiB (0 keeps glibc's default).</summary>
    public const string PadVariable = "PROBE_MALLOC_TOP_PAD_MB";

    /// <summary>Applies the pad (default 1 GiB, or <see cref="PadVariable"/>); returns the MiB applied, or 0 where glibc is absent.</summary>
    public static int RetainFreedMemory(int defaultMiB = 1024)
    {
        var mib = int.TryParse(Environment.GetEnvironmentVariable(PadVariable), out var v) && v >= 0 ? v : defaultMiB;
        if (mib == 0 || !OperatingSystem.IsLinux()) return 0;
        try
        {
            return MallOpt(MTopPad, mib * 1024 * 1024) == 1 ? mib : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;   // not glibc (musl, other libc): nothing to tune
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int param, int value);
}
