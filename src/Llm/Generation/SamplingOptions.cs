namespace Probe.Llm.Generation;

/// <summary>
/// The sampling settings of transformers' GenerationConfig that Probe implements. Defaults are GenerationConfig's:
/// temperature 1, top_k 50, top_p 1.
/// </summary>
/// <param name="Temperature">Divides the logits; 1 = skipped (no TemperatureLogitsWarper).</param>
/// <param name="TopK">Keep tokens whose logit is at least the k-th largest; 0 = off.</param>
/// <param name="TopP">Nucleus mass; 1 = off.</param>
public sealed record SamplingOptions(double Temperature = 1.0, int TopK = 50, double TopP = 1.0)
{
    public void Validate()
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be a positive number");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top_k must be 0 (off) or positive");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top_p must be in (0, 1]");
    }
}
