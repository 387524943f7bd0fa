namespace Probe.Core.Weights;

/// <summary>Checkpoint weights do not fit the model built from its config: lists every missing, unexpected and misshapen tensor.</summary>
public sealed class WeightLoadException(string message) : ProbeException(message);
