
namespace Probe.Grpo;

/// <summary>Fine-grained progress inside an update (for progress bars): <see cref="Done"/> of <see cref="Total"/> units of <see cref="Phase"/>.</summary>
public readonly record struct GrpoProgress(int Update, int TotalUpdates, GrpoPhase Phase, int Done, int Total);
