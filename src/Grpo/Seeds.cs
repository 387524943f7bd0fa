
namespace Probe.Grpo;

/// <summary>
/// Derives every seed of a run from the run seed, so any update can be replayed alone: that is what makes a resumed
/// run bit-identical to an uninterrupted one without saving generator states (they are a function of these numbers).
/// SplitMix64 finalisers over the mixed inputs: well spread, stable across platforms and .NET versions.
/// </summary>
public static class Seeds
{
    /// <summary>A non-negative seed for <paramref name="stream"/> at (<paramref name="update"/>, <paramref name="index"/>).</summary>
    public static long Derive(long runSeed, long update, SeedStream stream, long index = 0)
    {
        var x = Mix((ulong)runSeed);
        x = Mix(x ^ (ulong)update);
        x = Mix(x ^ (ulong)stream);
        x = Mix(x ^ (ulong)index);
        return (long)(x >> 1);
    }

    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
