namespace Probe.Grpo.Diffusion.Benchmarks;

/// <summary>
/// One benchmark case: seconds per update (median of the measured updates; sampling part separately) and the peak
/// resident memory of the process during the case (Linux VmHWM, reset at the case's start), model weights included.
/// </summary>
public sealed record GrpoBenchmarkResult(string Model, long UnetParameters, int Latent, int GroupSize, int Steps, bool GradientCheckpointing,
                                         string Device, string DType, int Threads, double SecondsPerUpdate, double RolloutSeconds,
                                         double TrainSeconds, double ImagesPerSecond, double? PeakResidentMiB, double[] UpdateSeconds);
