
namespace Probe.Grpo;

/// <summary>
/// Dynamic loss scaling for float16 compute (torch.amp.GradScaler's policy): the loss is multiplied by
/// <see cref="Scale"/> before backward so small float16 gradients do not flush to zero; gradients are divided back
/// before clipping; a step whose gradients are not finite is skipped and the scale halved; after
/// <see cref="GrowthInterval"/> clean steps the scale doubles. Disabled (scale 1) for float32 and bfloat16.
/// </summary>
public sealed class DynamicLossScaler(bool enabled, double scale, int goodSteps = 0)
{
    public const int GrowthInterval = 2000;

    public bool Enabled { get; } = enabled;
    public double Scale { get; private set; } = enabled ? scale : 1.0;
    public int GoodSteps { get; private set; } = goodSteps;

    /// <summary>Records a step's outcome; returns whether the optimiser may step.</summary>
    public bool Update(bool gradientsFinite)
    {
        if (!Enabled) return gradientsFinite;
        if (!gradientsFinite)
        {
            Scale = Math.Max(1.0, Scale / 2);
            GoodSteps = 0;
            return false;
        }
        if (++GoodSteps >= GrowthInterval)
        {
            Scale *= 2;
            GoodSteps = 0;
        }
        return true;
    }
}
