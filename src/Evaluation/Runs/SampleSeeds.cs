using System.Text;

namespace Probe.Evaluation.Runs;

/// <summary>
/// The seed of each evaluation image. A prompt that carries its own seed (I2P) uses it (plus the image index);
/// otherwise the seed mixes the run seed with a hash of category and prompt id, so adding, removing or reordering
/// prompts never changes another prompt's images, and shards agree with an unsharded run. Seeds stay below 2^53 so
/// JSON and spreadsheets keep them exact.
/// </summary>
public static class SampleSeeds
{
    const ulong Mask = (1UL << 53) - 1;

    public static long For(long runSeed, string category, string promptId, int imageIndex, long? promptSeed = null)
    {
        if (promptSeed is { } own) return own + imageIndex;
        var mixed = (Fnv1a64($"{category}/{promptId}") ^ SplitMix((ulong)runSeed)) & Mask;
        return (long)((mixed + (ulong)imageIndex) & Mask);
    }

    static ulong Fnv1a64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
