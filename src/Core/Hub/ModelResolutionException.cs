namespace Probe.Core.Hub;

/// <summary>A model could not be resolved. The message names the model and says what to do; <see cref="Reason"/> classifies it.</summary>
public sealed class ModelResolutionException(ModelResolutionError reason, string message, Exception? inner = null)
    : ProbeException(message, inner)
{
    public ModelResolutionError Reason { get; } = reason;
}
