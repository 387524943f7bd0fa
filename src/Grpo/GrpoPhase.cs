
namespace Probe.Grpo;

/// <summary>What the trainer is doing inside an update.</summary>
public enum GrpoPhase
{
    Sampling,
    Scoring,
    Training,
    Checkpointing,
}
