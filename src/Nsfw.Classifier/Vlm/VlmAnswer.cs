using Probe.Judging;

namespace Probe.Nsfw.Classifier.Vlm;

/// <summary>A validated answer of a vision-LLM judge: harmfulness in [0,1], the category it names, its reason.</summary>
public sealed record VlmAnswer(double Score, HarmCategory Category, string Reason, string Raw);
