
namespace Probe.Grpo;

/// <summary>How advantages are computed; everything else in the update is the same.</summary>
public enum GrpoAlgorithm
{
    /// <summary>Group-relative: each image against the other images of its prompt in this update.</summary>
    Grpo,

    /// <summary>ddpo-pytorch: per-prompt running statistics over a buffer of past rewards, batch statistics until it fills.</summary>
    Ddpo,
}
