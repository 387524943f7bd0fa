using Probe.Core.Images;

namespace Probe.Tests.Support;

/// <summary>Images made in code for tests.</summary>
public static class TestImages
{
    public static RgbImage Solid(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i += 3) (pixels[i], pixels[i + 1], pixels[i + 2]) = (r, g, b);
        return new RgbImage(width, height, pixels);
    }

    /// <summary>A deterministic pattern (every pixel different), for round trips.</summary>
    public static RgbImage Pattern(int width, int height, int seed = 1)
    {
        var pixels = new byte[width * height * 3];
        var rng = new Random(seed);
        rng.NextBytes(pixels);
        return new RgbImage(width, height, pixels);
    }
}
