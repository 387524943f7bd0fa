using Probe.Diffusion.Schedulers;
using TorchSharp;

namespace Probe.Tests.Schedulers;

/// <summary>DDIM behaviours beyond the reference set: spacings, beta schedules, prediction types, clipping, noise.</summary>
public class DDIMSchedulerTests
{
    static long[] TimestepsOf(SchedulerConfig config, int steps)
    {
        using var scheduler = new DDIMScheduler(config);
        scheduler.SetTimesteps(steps);
        return scheduler.Timesteps.data<long>().ToArray();
    }

    // Leading (scheduling_ddim.py:324-328): arange(0, n) * (1000 // n), reversed, + steps_offset.
    [TestCase(4, 1, new long[] { 751, 501, 251, 1 })]
    [TestCase(10, 1, new long[] { 901, 801, 701, 601, 501, 401, 301, 201, 101, 1 })]
    [TestCase(3, 0, new long[] { 666, 333, 0 })]
    public void Leading_spacing_steps_by_the_integer_ratio_plus_offset(int steps, int offset, long[] expected) =>
        Assert.That(TimestepsOf(TestConfigs.Sd21 with { StepsOffset = offset }, steps), Is.EqualTo(expected));

    // Trailing (lines 330-334): round(arange(1000, 0, -1000/n)) - 1. For n = 3: [1000, 666.67, 333.33] -> [999, 666, 332].
    [TestCase(10, new long[] { 999, 899, 799, 699, 599, 499, 399, 299, 199, 99 })]
    [TestCase(3, new long[] { 999, 666, 332 })]
    [TestCase(6, new long[] { 999, 832, 666, 499, 332, 166 })]
    public void Trailing_spacing_counts_down_from_the_last_timestep(int steps, long[] expected) =>
        Assert.That(TimestepsOf(TestConfigs.Sd21 with { TimestepSpacing = "trailing" }, steps), Is.EqualTo(expected));

    // Linspace (lines 317-322): linspace(0, 999, n).round() reversed, numpy rounding halves to even:
    // n = 7 gives 166.5, 499.5, 832.5 -> 166, 500, 832.
    [TestCase(7, new long[] { 999, 832, 666, 500, 333, 166, 0 })]
    [TestCase(4, new long[] { 999, 666, 333, 0 })]
    [TestCase(1, new long[] { 0 })]
    public void Linspace_spacing_rounds_halves_to_even(int steps, long[] expected) =>
        Assert.That(TimestepsOf(TestConfigs.Sd21 with { TimestepSpacing = "linspace" }, steps), Is.EqualTo(expected));

    [Test]
    public void Trailing_spacing_that_diffusers_drives_below_zero_is_refused_up_front()
    {
        // np.arange(1000, 0, -1000/61) has 62 elements (ceil(61.00000000000001)), the last -5.7e-13 -> timestep -1.
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21 with { TimestepSpacing = "trailing" });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.SetTimesteps(61));
        Assert.That(e!.Message, Does.Contain("timestep -1").And.Contain("trailing"));
    }

    [Test]
    public void Leading_offset_past_the_schedule_is_refused()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.SetTimesteps(1000));
        Assert.That(e!.Message, Does.Contain("timestep 1000"));
    }

    [Test]
    public void Linear_betas_run_from_beta_start_to_beta_end()
    {
        var config = new SchedulerConfig { BetaSchedule = "linear", BetaStart = 0.0001, BetaEnd = 0.02 };
        var betas = NoiseSchedule.Betas(config, "test");
        using var scheduler = new DDIMScheduler(config);
        Assert.Multiple(() =>
        {
            Assert.That(betas, Has.Length.EqualTo(1000));
            Assert.That(betas[0], Is.EqualTo(0.0001f));
            Assert.That(betas[^1], Is.EqualTo(0.02f));
            Assert.That(betas[500], Is.EqualTo(0.0001 + 500 * (0.02 - 0.0001) / 999).Within(1e-8));
            AssertCumprod(betas, scheduler.AlphasCumprod);
        });
    }

    [Test]
    public void Scaled_linear_betas_are_linear_in_their_square_root()
    {
        var betas = NoiseSchedule.Betas(TestConfigs.Sd21, "test");
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        Assert.Multiple(() =>
        {
            Assert.That(betas[0], Is.EqualTo(0.00085).Within(1e-9));
            Assert.That(betas[^1], Is.EqualTo(0.012).Within(1e-8));
            var root = Math.Sqrt(0.00085) + 300 * (Math.Sqrt(0.012) - Math.Sqrt(0.00085)) / 999;
            Assert.That(betas[300], Is.EqualTo(root * root).Within(1e-8));
            AssertCumprod(betas, scheduler.AlphasCumprod);
        });
    }

    [Test]
    public void Squaredcos_cap_v2_betas_follow_the_glide_cosine_and_cap_at_0_999()
    {
        // betas_for_alpha_bar (scheduling_ddim.py:51-92): beta_i = min(1 - abar((i+1)/n) / abar(i/n), 0.999),
        // abar(t) = cos((t + 0.008) / 1.008 * pi / 2) ** 2.
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        var config = new SchedulerConfig { BetaSchedule = "squaredcos_cap_v2" };
        var betas = NoiseSchedule.Betas(config, "test");
        using var scheduler = new DDIMScheduler(config);
        Assert.Multiple(() =>
        {
            foreach (var i in new[] { 0, 1, 250, 500, 998 })
                Assert.That(betas[i], Is.EqualTo(Math.Min(1 - AlphaBar((i + 1) / 1000.0) / AlphaBar(i / 1000.0), 0.999)).Within(1e-7 * Math.Max(1, betas[i])), $"beta[{i}]");
            Assert.That(betas[^1], Is.EqualTo(0.999f), "the last beta is capped");
            AssertCumprod(betas, scheduler.AlphasCumprod);
        });
    }

    [Test]
    public void Trained_betas_replace_the_schedule()
    {
        double[] trained = [0.1, 0.2, 0.3, 0.4];
        using var scheduler = new DDIMScheduler(new SchedulerConfig { NumTrainTimesteps = 4, TrainedBetas = trained, BetaSchedule = "no-such-schedule" });
        Assert.That(scheduler.AlphasCumprod, Is.EqualTo(new[] { 0.9, 0.72, 0.504, 0.3024 }).Within(1e-6));
    }

    [Test]
    public void Trained_betas_of_the_wrong_length_are_rejected()
    {
        var e = Assert.Throws<SchedulerConfigException>(() => _ = new DDIMScheduler(new SchedulerConfig { NumTrainTimesteps = 5, TrainedBetas = [0.1, 0.2] }));
        Assert.That(e!.Message, Does.Contain("trained_betas").And.Contain("5"));
    }

    [Test]
    public void Zero_terminal_snr_rescale_ends_at_alpha_bar_zero_and_keeps_the_first_value()
    {
        using var plain = new DDIMScheduler(TestConfigs.Sd21);
        using var rescaled = new DDIMScheduler(TestConfigs.Sd21 with { RescaleBetasZeroSnr = true });
        Assert.Multiple(() =>
        {
            Assert.That(rescaled.AlphasCumprod[^1], Is.EqualTo(0f), "terminal SNR is zero");
            Assert.That(rescaled.AlphasCumprod[0], Is.EqualTo(plain.AlphasCumprod[0]).Within(1e-6));
            Assert.That(rescaled.AlphasCumprod[500], Is.LessThan(plain.AlphasCumprod[500]), "the shift lowers ᾱ in between");
        });
    }

    [Test]
    public void Zero_snr_with_v_prediction_predicts_x0_as_minus_v_at_the_last_timestep()
    {
        // At ᾱ = 0, x̂₀ = √ᾱ·x − √(1−ᾱ)·v = −v: the case zero-SNR training is meant for (arXiv:2305.08891).
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21 with { RescaleBetasZeroSnr = true, PredictionType = "v_prediction", TimestepSpacing = "trailing" });
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 4, 8, 8);
        var v = torch.randn(1, 4, 8, 8);
        var step = scheduler.Step(v, scheduler.Timesteps[0], x);
        Assert.That(scheduler.Timesteps[0].item<long>(), Is.EqualTo(999));
        AssertClose(step.PredOriginalSample, -v, 1e-6);
    }

    [TestCase("epsilon")]
    [TestCase("v_prediction")]
    [TestCase("sample")]
    public void Every_prediction_type_recovers_x0_from_the_matching_exact_model_output(string predictionType)
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21 with { PredictionType = predictionType });
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        var (x0, eps, xt, a, aPrev) = ForwardProcess(scheduler, 501, 401);
        var output = predictionType switch
        {
            "epsilon" => eps,
            "v_prediction" => Math.Sqrt(a) * eps - Math.Sqrt(1 - a) * x0,
            _ => x0,
        };
        var step = scheduler.Step(output, torch.tensor(501L), xt);
        // DDIM (eta = 0) moves to √ᾱ_prev·x₀ + √(1−ᾱ_prev)·ε: the same for every parametrisation.
        var expected = Math.Sqrt(aPrev) * x0.to(torch.float64) + Math.Sqrt(1 - aPrev) * eps.to(torch.float64);
        AssertClose(step.PredOriginalSample, x0, 1e-5);
        AssertClose(step.PrevSample, expected, 1e-5);
    }

    [Test]
    public void Zero_noise_prediction_rescales_the_sample_by_the_alpha_ratio()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 8, 8);
        var step = scheduler.Step(torch.zeros_like(x), torch.tensor(701L), x);
        var ratio = Math.Sqrt((double)scheduler.AlphasCumprod[601] / scheduler.AlphasCumprod[701]);
        AssertClose(step.PrevSample, ratio * x.to(torch.float64), 1e-6);
    }

    [Test]
    public void Last_step_uses_alpha_bar_zero_or_one_as_set_alpha_to_one_says()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 4, 8, 8);
        var eps = torch.randn(1, 4, 8, 8);
        foreach (var (setToOne, expected) in new[] { (false, (double?)null), (true, 1.0) })
        {
            using var scheduler = new DDIMScheduler(TestConfigs.Sd21 with { SetAlphaToOne = setToOne });
            scheduler.SetTimesteps(10);
            var step = scheduler.Step(eps, torch.tensor(1L), x); // prev timestep -99
            Assert.That(step.AlphaProdTPrev.item<float>(), Is.EqualTo(expected ?? scheduler.AlphasCumprod[0]), $"set_alpha_to_one = {setToOne}");
        }
    }

    [Test]
    public void Clip_sample_clamps_x0_and_keeps_the_model_noise_unless_asked()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21 with { ClipSample = true, ClipSampleRange = 0.5 });
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        var x = 3 * torch.randn(1, 4, 8, 8);
        var eps = torch.randn(1, 4, 8, 8);
        double a = scheduler.AlphasCumprod[501], aPrev = scheduler.AlphasCumprod[401];
        var x0 = ((x.to(torch.float64) - Math.Sqrt(1 - a) * eps) / Math.Sqrt(a)).clamp(-0.5, 0.5);

        var step = scheduler.Step(eps, torch.tensor(501L), x);
        Assert.That(step.PredOriginalSample.abs().max().item<float>(), Is.EqualTo(0.5f));
        AssertClose(step.PrevSample, Math.Sqrt(aPrev) * x0 + Math.Sqrt(1 - aPrev) * eps, 1e-5);

        // use_clipped_model_output: ε re-derived from the clipped x̂₀ (GLIDE).
        var clipped = scheduler.Step(eps, torch.tensor(501L), x, eta: 0, useClippedModelOutput: true);
        var epsFromClipped = (x.to(torch.float64) - Math.Sqrt(a) * x0) / Math.Sqrt(1 - a);
        AssertClose(clipped.PrevSample, Math.Sqrt(aPrev) * x0 + Math.Sqrt(1 - aPrev) * epsFromClipped, 1e-5);
    }

    [Test]
    public void Thresholding_bounds_x0_by_one()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21 with { Thresholding = true, SampleMaxValue = 1.5, ClipSample = false });
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        var step = scheduler.Step(torch.randn(2, 4, 8, 8), torch.tensor(501L), 5 * torch.randn(2, 4, 8, 8));
        Assert.That(step.PredOriginalSample.abs().max().item<float>(), Is.LessThanOrEqualTo(1f));
    }

    [Test]
    public void Stochastic_step_is_mean_plus_std_times_the_given_noise()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 8, 8);
        var eps = torch.randn(2, 4, 8, 8);
        var z = torch.randn(2, 4, 8, 8);
        var eta = 0.7;
        var step = scheduler.Step(eps, torch.tensor(501L), x, eta, varianceNoise: z);
        double a = scheduler.AlphasCumprod[501], aPrev = scheduler.AlphasCumprod[401];
        // Formula (16) of the DDIM paper.
        var variance = (1 - aPrev) / (1 - a) * (1 - a / aPrev);
        var std = eta * Math.Sqrt(variance);
        var x0 = (x.to(torch.float64) - Math.Sqrt(1 - a) * eps) / Math.Sqrt(a);
        var mean = Math.Sqrt(aPrev) * x0 + Math.Sqrt(1 - aPrev - std * std) * eps;
        Assert.Multiple(() =>
        {
            Assert.That(step.Variance.item<float>(), Is.EqualTo(variance).Within(1e-6 * variance));
            Assert.That(step.StdDevT.item<float>(), Is.EqualTo(std).Within(1e-6 * std));
            AssertClose(step.PrevSampleMean, mean, 1e-5);
            AssertClose(step.PrevSample, mean + std * z, 1e-5);
        });
    }

    [Test]
    public void Generator_noise_is_reproducible_and_unit_gaussian()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 64, 64);
        var eps = torch.randn(2, 4, 64, 64);
        DDIMStepOutput Draw(long seed)
        {
            using var g = new torch.Generator((ulong)seed);
            return scheduler.Step(eps, torch.tensor(501L), x, eta: 1.0, generator: g);
        }
        var first = Draw(7);
        var again = Draw(7);
        var other = Draw(8);
        var z = (first.PrevSample - first.PrevSampleMean) / first.StdDevT;
        Assert.Multiple(() =>
        {
            Assert.That(first.PrevSample.eq(again.PrevSample).all().item<bool>(), Is.True, "same seed, same draw");
            Assert.That(first.PrevSample.eq(other.PrevSample).all().item<bool>(), Is.False, "another seed, another draw");
            Assert.That(Math.Abs(z.mean().item<float>()), Is.LessThan(0.03), "noise mean");
            Assert.That(Math.Abs(z.std().item<float>() - 1), Is.LessThan(0.02), "noise std");
        });
    }

    [Test]
    public void Half_precision_samples_come_back_half_with_float32_statistics()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 8, 8).to(torch.float16);
        var step = scheduler.Step(torch.randn(2, 4, 8, 8).to(torch.float16), torch.tensor(501L), x, eta: 1.0, varianceNoise: torch.randn(2, 4, 8, 8));
        Assert.Multiple(() =>
        {
            Assert.That(step.PrevSample.dtype, Is.EqualTo(torch.ScalarType.Float16));
            Assert.That(step.PredOriginalSample.dtype, Is.EqualTo(torch.ScalarType.Float16));
            Assert.That(step.LogProb!.dtype, Is.EqualTo(torch.ScalarType.Float32));
        });
    }

    [Test]
    public void Stepping_before_set_timesteps_says_what_to_do()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 4, 8, 8);
        var e = Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, torch.tensor(501L), x));
        Assert.That(e!.Message, Does.Contain("SetTimesteps"));
    }

    [Test]
    public void Only_one_source_may_decide_the_stochastic_sample()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        using var g = new torch.Generator(1);
        var x = torch.randn(1, 4, 8, 8);
        Assert.Throws<ArgumentException>(() => scheduler.Step(x, torch.tensor(501L), x, 1.0, varianceNoise: x, generator: g));
        Assert.Throws<ArgumentException>(() => scheduler.Step(x, torch.tensor(501L), x, 1.0, varianceNoise: x, prevSample: x));
    }

    [Test]
    public void Timesteps_outside_the_training_range_are_rejected()
    {
        using var scheduler = new DDIMScheduler(TestConfigs.Sd21);
        scheduler.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 4, 8, 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Step(x, torch.tensor(1000L), x));
    }

    /// <summary>x₀, ε ~ N(0, I) and x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε.</summary>
    static (torch.Tensor X0, torch.Tensor Eps, torch.Tensor Xt, double A, double APrev) ForwardProcess(DDIMScheduler scheduler, int t, int prevT)
    {
        var x0 = torch.randn(2, 4, 8, 8);
        var eps = torch.randn(2, 4, 8, 8);
        double a = scheduler.AlphasCumprod[t], aPrev = scheduler.AlphasCumprod[prevT];
        return (x0, eps, Math.Sqrt(a) * x0 + Math.Sqrt(1 - a) * eps, a, aPrev);
    }

    /// <summary>ᾱ equals the running product of (1 − β), accumulated in float64.</summary>
    static void AssertCumprod(float[] betas, IReadOnlyList<float> alphasCumprod)
    {
        var product = 1.0;
        for (var i = 0; i < betas.Length; i++)
        {
            product *= 1f - betas[i];
            Assert.That(alphasCumprod[i], Is.EqualTo(product).Within(2e-7 * Math.Max(product, 1e-3)), $"alphas_cumprod[{i}]");
        }
    }

    internal static void AssertClose(torch.Tensor actual, torch.Tensor expected, double tolerance)
    {
        using var scope = torch.NewDisposeScope();
        var error = (actual.detach().to(torch.float64) - expected.detach().to(torch.float64)).abs().max().item<double>();
        var scale = Math.Max(1, expected.detach().abs().max().to(torch.float64).item<double>());
        Assert.That(error, Is.LessThanOrEqualTo(tolerance * scale), $"max |error| {error:E3}");
    }
}
