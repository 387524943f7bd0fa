using Probe.Core.Lora;

namespace Probe.Grpo.Diffusion;

/// <summary>The outcome of <see cref="GrpoTrainer.Run"/>: the trained adapter (live on the UNet) and every update's record, resumed ones included.</summary>
public sealed record GrpoRunResult(LoraAdapter Adapter, IReadOnlyList<GrpoUpdate> History, int ResumedFromUpdate, string? LastCheckpoint);
