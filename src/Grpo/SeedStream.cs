
namespace Probe.Grpo;

/// <summary>The independent random sources of a run; each draws from seeds derived from (run seed, update, stream, index).</summary>
public enum SeedStream
{
    RolloutNoise = 1,
    PromptOrder = 2,
    TrainShuffle = 3,
    Dropout = 4,
    AdvantageShuffle = 5,
    LoraInit = 6,
}
