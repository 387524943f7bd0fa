namespace Probe.Nsfw.Classifier.Tfjs;

/// <summary>One dequantised weight of a TF.js model: its manifest name, shape and float32 values (row-major).</summary>
public sealed record TfjsWeight(string Name, long[] Shape, float[] Values)
{
    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}
