namespace Probe.Diffusion.Pipelines;

/// <summary>Progress of a generation: denoising steps done of the total over all batches.</summary>
public readonly record struct DenoisingProgress(int StepsDone, int TotalSteps, int ImagesDone, int TotalImages);
