
namespace Probe.Grpo;

/// <summary>Accumulates one update's training diagnostics over its micro-steps and optimiser steps.</summary>
internal sealed class TrainMetrics
{
    readonly List<double> _loss = [];
    readonly List<double> _approxKl = [];
    readonly List<double> _clip = [];
    readonly List<double> _ratio = [];
    readonly List<double> _kl = [];
    readonly List<double> _norms = [];

    public double RatioMin { get; private set; } = double.PositiveInfinity;
    public double RatioMax { get; private set; } = double.NegativeInfinity;
    public double LearningRate { get; private set; }
    public int Steps => _norms.Count;
    public int Skipped { get; set; }

    public double Loss => Mean(_loss);
    public double ApproxKl => Mean(_approxKl);
    public double ClipFraction => Mean(_clip);
    public double RatioMean => Mean(_ratio);
    public double? KlToReference => _kl.Count == 0 ? null : Mean(_kl);
    public double GradNorm => Mean(_norms);

    public void Add(PolicyLossTerms terms)
    {
        _loss.Add(terms.Loss.item<float>());
        _approxKl.Add(terms.ApproxKl);
        _clip.Add(terms.ClipFraction);
        _ratio.Add(terms.RatioMean);
        RatioMin = Math.Min(RatioMin, terms.RatioMin);
        RatioMax = Math.Max(RatioMax, terms.RatioMax);
        if (terms.KlToReference is { } kl) _kl.Add(kl);
    }

    public void Step(double gradNorm, double learningRate)
    {
        _norms.Add(gradNorm);
        LearningRate = learningRate;
    }

    static double Mean(List<double> values) => values.Count == 0 ? double.NaN : values.Average();
}
