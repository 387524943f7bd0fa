using Probe.Diffusion.Schedulers;
using TorchSharp;

namespace Probe.Tests.Schedulers;

/// <summary>The DDIM transition log-density GRPO trains through (ddpo-pytorch's definition).</summary>
public class DDIMLogProbTests
{
    static readonly double LogSqrtTwoPi = 0.5 * Math.Log(2 * Math.PI);

    static DDIMScheduler Scheduler()
    {
        var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        scheduler.SetTimesteps(10);
        return scheduler;
    }

    [Test]
    public void Equals_the_gaussian_density_of_the_noise_that_made_the_sample()
    {
        using var scheduler = Scheduler();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(3, 4, 8, 8);
        var z = torch.randn(3, 4, 8, 8);
        var step = scheduler.Step(torch.randn(3, 4, 8, 8), torch.tensor(501L), x, eta: 1.0, varianceNoise: z);
        // x_{t-1} = μ + σz, so log N(x_{t-1} | μ, σ²) = −z²/2 − log σ − ½ log 2π, averaged over C, H, W.
        var sigma = step.StdDevT.to(torch.float64).item<double>();
        var expected = (-z.to(torch.float64).pow(2) / 2).mean([1, 2, 3]) - Math.Log(sigma) - LogSqrtTwoPi;
        DDIMSchedulerTests.AssertClose(step.LogProb!, expected, 2e-6);
    }

    [Test]
    public void Peaks_at_the_mean()
    {
        using var scheduler = Scheduler();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 8, 8);
        var eps = torch.randn(2, 4, 8, 8);
        var mean = scheduler.Step(eps, torch.tensor(301L), x, eta: 1.0, varianceNoise: torch.zeros_like(x));
        var atMean = DDIMLogProb.Of(scheduler, eps, torch.tensor(301L), x, mean.PrevSample, eta: 1.0);
        var elsewhere = DDIMLogProb.Of(scheduler, eps, torch.tensor(301L), x, mean.PrevSample + 0.01, eta: 1.0);
        var sigma = mean.StdDevT.item<float>();
        Assert.Multiple(() =>
        {
            Assert.That(atMean.data<float>().ToArray(), Is.All.EqualTo(-Math.Log(sigma) - LogSqrtTwoPi).Within(1e-6));
            Assert.That((atMean - elsewhere).min().item<float>(), Is.GreaterThan(0));
        });
    }

    [Test]
    public void Gradient_reaches_the_model_output_through_the_mean_only()
    {
        using var scheduler = Scheduler();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 8, 8);
        var recorded = scheduler.Step(torch.randn(2, 4, 8, 8), torch.tensor(501L), x, eta: 1.0, varianceNoise: torch.randn(2, 4, 8, 8));
        var prev = recorded.PrevSample.detach().requires_grad_(true);
        var eps = torch.randn(2, 4, 8, 8).requires_grad_(true);

        var logProb = DDIMLogProb.Of(scheduler, eps, torch.tensor(501L), x, prev, eta: 1.0);
        logProb.sum().backward();

        // μ = √ᾱ_prev·(x − √(1−ᾱ)ε)/√ᾱ + √(1−ᾱ_prev−σ²)·ε, so ∂μ/∂ε = k = −√ᾱ_prev·√(1−ᾱ)/√ᾱ + √(1−ᾱ_prev−σ²), and
        // ∂log_prob[b]/∂ε_i = k·(x_prev,i − μ_i)/(σ²·D) with D = C·H·W elements averaged.
        double a = scheduler.AlphasCumprod[501], aPrev = scheduler.AlphasCumprod[401];
        var variance = (1 - aPrev) / (1 - a) * (1 - a / aPrev);
        var k = -Math.Sqrt(aPrev) * Math.Sqrt(1 - a) / Math.Sqrt(a) + Math.Sqrt(1 - aPrev - variance);
        var mean = scheduler.Step(eps.detach(), torch.tensor(501L), x, eta: 1.0, varianceNoise: torch.zeros_like(x)).PrevSampleMean;
        var expected = k * (prev.detach().to(torch.float64) - mean.to(torch.float64)) / (variance * 4 * 8 * 8);
        Assert.Multiple(() =>
        {
            DDIMSchedulerTests.AssertClose(eps.grad!, expected, 1e-5);
            Assert.That(prev.grad, Is.Null, "the scored sample is detached, as in ddpo-pytorch");
        });
    }

    [Test]
    public void Per_sample_timesteps_score_each_row_at_its_own_step()
    {
        using var scheduler = Scheduler();
        using var scope = torch.NewDisposeScope();
        long[] ts = [901, 501, 1];
        var x = torch.randn(3, 4, 8, 8);
        var eps = torch.randn(3, 4, 8, 8);
        var prev = torch.randn(3, 4, 8, 8);
        var batched = scheduler.Step(eps, torch.tensor(ts), x, eta: 1.0, prevSample: prev);
        Assert.That(batched.LogProb!.shape, Is.EqualTo(new long[] { 3 }));
        for (var b = 0; b < ts.Length; b++)
        {
            var single = scheduler.Step(eps[b..(b + 1)], torch.tensor(ts[b]), x[b..(b + 1)], eta: 1.0, prevSample: prev[b..(b + 1)]);
            Assert.Multiple(() =>
            {
                Assert.That(batched.LogProb![b].item<float>(), Is.EqualTo(single.LogProb!.item<float>()), $"log_prob row {b}");
                Assert.That(batched.StdDevT[b].item<float>(), Is.EqualTo(single.StdDevT.item<float>()), $"std row {b}");
                DDIMSchedulerTests.AssertClose(batched.PrevSampleMean[b..(b + 1)], single.PrevSampleMean, 0);
            });
        }
    }

    [Test]
    public void Scoring_is_pure_and_agrees_with_the_step()
    {
        using var scheduler = Scheduler();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 8, 8);
        var eps = torch.randn(2, 4, 8, 8);
        using var g = new torch.Generator(3);
        var step = scheduler.Step(eps, torch.tensor(701L), x, eta: 0.5, generator: g);
        var first = DDIMLogProb.Of(scheduler, eps, torch.tensor(701L), x, step.PrevSample, eta: 0.5);
        var second = DDIMLogProb.Of(scheduler, eps, torch.full(2, 701L, dtype: torch.int64), x, step.PrevSample, eta: 0.5);
        Assert.Multiple(() =>
        {
            DDIMSchedulerTests.AssertClose(first, step.LogProb!, 0);
            DDIMSchedulerTests.AssertClose(second, step.LogProb!, 0);
            Assert.That(scheduler.NumInferenceSteps, Is.EqualTo(10));
        });
    }

    [Test]
    public void Needs_a_positive_eta()
    {
        using var scheduler = Scheduler();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 4, 8, 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => DDIMLogProb.Of(scheduler, x, torch.tensor(501L), x, x, eta: 0));
    }
}
