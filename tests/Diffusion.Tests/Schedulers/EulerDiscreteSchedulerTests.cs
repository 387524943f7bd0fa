using Probe.Diffusion.Schedulers;
using TorchSharp;

namespace Probe.Tests.Schedulers;

public class EulerDiscreteSchedulerTests
{
    static EulerDiscreteScheduler Make(SchedulerConfig config, int steps)
    {
        var scheduler = new EulerDiscreteScheduler(config);
        scheduler.SetTimesteps(steps);
        return scheduler;
    }

    /// <summary>
    /// Training σ of diffusers' formula ((1 − ᾱ)/ᾱ) ** 0.5 in float32, correctly rounded (libtorch's vectorised sqrt
    /// can be one ulp off on some CPUs; the schedulers use the correctly rounded value).
    /// </summary>
    static float[] TrainSigmas(IReadOnlyList<float> alphasCumprod) =>
        alphasCumprod.Select(a => (float)Math.Sqrt((1f - a) / a)).ToArray();

    // scheduling_euler_discrete.py:312-327. linspace: np.linspace(0, 999, n, dtype=float32)[::-1] keeps halves;
    // leading: arange(n) * (1000 // n) reversed + steps_offset; trailing: round(arange(1000, 0, -1000/n)) - 1.
    [TestCase("linspace", 7, new float[] { 999, 832.5f, 666, 499.5f, 333, 166.5f, 0 })]
    [TestCase("leading", 4, new float[] { 751, 501, 251, 1 })]
    [TestCase("trailing", 4, new float[] { 999, 749, 499, 249 })]
    public void Timesteps_follow_the_spacing(string spacing, int steps, float[] expected)
    {
        using var scheduler = Make(TestConfigs.Sd21 with { TimestepSpacing = spacing }, steps);
        Assert.Multiple(() =>
        {
            Assert.That(scheduler.Timesteps.dtype, Is.EqualTo(torch.ScalarType.Float32));
            Assert.That(scheduler.Timesteps.data<float>().ToArray(), Is.EqualTo(expected));
        });
    }

    [Test]
    public void Sigmas_interpolate_the_training_sigmas_linearly_and_end_at_zero()
    {
        using var scheduler = Make(TestConfigs.Sd21 with { TimestepSpacing = "linspace" }, 7);
        var train = TrainSigmas(scheduler.AlphasCumprod);
        Assert.Multiple(() =>
        {
            Assert.That(scheduler.Sigmas, Has.Count.EqualTo(8));
            Assert.That(scheduler.Sigmas[0], Is.EqualTo(train[999]), "integer timesteps take the table value");
            Assert.That(scheduler.Sigmas[2], Is.EqualTo(train[666]));
            // np.interp at 832.5 in float64, then cast to float32.
            Assert.That(scheduler.Sigmas[1], Is.EqualTo((float)(train[832] + 0.5 * ((double)train[833] - train[832]))));
            Assert.That(scheduler.Sigmas[5], Is.EqualTo((float)(train[166] + 0.5 * ((double)train[167] - train[166]))));
            Assert.That(scheduler.Sigmas[^1], Is.EqualTo(0f));
        });
    }

    [Test]
    public void Init_noise_sigma_is_the_largest_sigma_or_its_vp_equivalent_for_leading_spacing()
    {
        using var linspace = Make(TestConfigs.Sd21 with { TimestepSpacing = "linspace" }, 10);
        using var leading = Make(TestConfigs.Sd21, 10);
        var train = TrainSigmas(linspace.AlphasCumprod);
        Assert.Multiple(() =>
        {
            Assert.That(linspace.InitNoiseSigma, Is.EqualTo(train[999]));
            Assert.That(leading.Timesteps[0].item<float>(), Is.EqualTo(901f));
            Assert.That(leading.InitNoiseSigma, Is.EqualTo(Math.Sqrt((double)train[901] * train[901] + 1)).Within(1e-6));
        });
    }

    [Test]
    public void Model_input_is_divided_by_the_vp_scale_of_the_current_sigma()
    {
        using var scheduler = Make(TestConfigs.Sd21, 10);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 4, 8, 8);
        var sigma = (double)scheduler.Sigmas[0];
        var scaled = scheduler.ScaleModelInput(x, scheduler.Timesteps[0]);
        DDIMSchedulerTests.AssertClose(scaled, x.to(torch.float64) / Math.Sqrt(sigma * sigma + 1), 1e-6);
        Assert.That(scheduler.StepIndex, Is.EqualTo(0));
    }

    [Test]
    public void Zero_noise_prediction_leaves_the_sample_unchanged()
    {
        using var scheduler = Make(TestConfigs.Sd21, 10);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 8, 8);
        var step = scheduler.Step(torch.zeros_like(x), scheduler.Timesteps[0], x);
        DDIMSchedulerTests.AssertClose(step.PrevSample, x, 0);
    }

    [Test]
    public void Final_step_into_sigma_zero_lands_on_the_denoised_estimate()
    {
        using var scheduler = Make(TestConfigs.Sd21, 4);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 8, 8);
        SchedulerStepOutput? last = null;
        for (var i = 0; i < 4; i++)
            last = scheduler.Step(torch.randn(2, 4, 8, 8), scheduler.Timesteps[i], x);
        DDIMSchedulerTests.AssertClose(last!.PrevSample, last.PredOriginalSample, 1e-6);
    }

    [Test]
    public void Converges_to_the_exact_ode_solution_at_first_order()
    {
        var data = new GaussianData(mean: 0.3, std: 0.5);
        var errors = new[] { 10, 20, 40 }.Select(n => ErrorBeforeLastStep(data, n, "epsilon")).ToArray();
        TestContext.Out.WriteLine($"Euler max|x̃ − exact| at σ_(N−1) for N = 10, 20, 40: {string.Join(", ", errors.Select(e => e.ToString("E3")))}");
        Assert.Multiple(() =>
        {
            // Halving the step size halves the global error of a first-order method.
            Assert.That(errors[0] / errors[1], Is.InRange(1.6, 2.6));
            Assert.That(errors[1] / errors[2], Is.InRange(1.6, 2.6));
        });
    }

    [Test]
    public void V_prediction_follows_the_same_trajectory_as_the_equivalent_epsilon_model()
    {
        var data = new GaussianData(mean: -0.2, std: 0.8);
        using var scope = torch.NewDisposeScope();
        var (epsilon, _) = RunBeforeLastStep(data, 12, "epsilon");
        var (velocity, _) = RunBeforeLastStep(data, 12, "v_prediction");
        DDIMSchedulerTests.AssertClose(velocity, epsilon, 1e-5);
    }

    [Test]
    public void Karras_sigmas_follow_rho_seven_between_the_ends_of_the_schedule()
    {
        using var scheduler = Make(TestConfigs.Sd21 with { TimestepSpacing = "linspace", UseKarrasSigmas = true }, 10);
        var train = TrainSigmas(scheduler.AlphasCumprod);
        double max = train[999], min = train[0];
        var timesteps = scheduler.Timesteps.data<float>().ToArray();
        Assert.Multiple(() =>
        {
            for (var i = 0; i < 10; i++)
            {
                // Karras et al. (2022) eq. 5 with ρ = 7.
                var expected = Math.Pow(Math.Pow(max, 1 / 7.0) + i / 9.0 * (Math.Pow(min, 1 / 7.0) - Math.Pow(max, 1 / 7.0)), 7);
                Assert.That(scheduler.Sigmas[i], Is.EqualTo(expected).Within(2e-7 * expected), $"sigma[{i}]");
            }
            Assert.That(scheduler.Sigmas[^1], Is.EqualTo(0f));
            Assert.That(timesteps[0], Is.EqualTo(999f).Within(1e-3), "σ_max maps back to the last training step");
            Assert.That(timesteps[^1], Is.EqualTo(0f).Within(1e-3), "σ_min maps back to the first");
            Assert.That(timesteps.Zip(timesteps.Skip(1)).All(p => p.First > p.Second), Is.True, "timesteps decrease");
        });
    }

    [Test]
    public void Karras_range_comes_from_sigma_min_and_sigma_max_when_configured()
    {
        using var scheduler = Make(TestConfigs.Sd21 with { UseKarrasSigmas = true, SigmaMin = 0.1, SigmaMax = 10 }, 5);
        Assert.Multiple(() =>
        {
            Assert.That(scheduler.Sigmas[0], Is.EqualTo(10f).Within(1e-5));
            Assert.That(scheduler.Sigmas[4], Is.EqualTo(0.1f).Within(1e-7));
        });
    }

    [Test]
    public void Sigma_to_t_inverts_the_training_sigmas_in_log_space()
    {
        using var scheduler = new EulerDiscreteScheduler(TestConfigs.Sd21);
        var train = TrainSigmas(scheduler.AlphasCumprod);
        var logs = train.Select(s => MathF.Log(s)).ToArray();
        Assert.Multiple(() =>
        {
            foreach (var k in new[] { 0, 1, 250, 777, 998, 999 })
                Assert.That(KarrasSigmas.SigmaToT(train[k], logs), Is.EqualTo(k).Within(1e-3), $"t({k})");
            // Halfway between log σ(400) and log σ(401) maps to 400.5.
            var mid = Math.Exp(0.5 * (Math.Log(train[400]) + Math.Log(train[401])));
            Assert.That(KarrasSigmas.SigmaToT(mid, logs), Is.EqualTo(400.5).Within(1e-3));
        });
    }

    [Test]
    public void Zero_terminal_snr_keeps_the_first_sigma_finite()
    {
        using var scheduler = Make(TestConfigs.Sd21 with { RescaleBetasZeroSnr = true, TimestepSpacing = "trailing" }, 10);
        // ᾱ_999 is set to 2^-24, so σ_max = √((1 − 2^-24)/2^-24) ≈ 4096.
        Assert.That(scheduler.Sigmas[0], Is.EqualTo(4096f).Within(1e-2));
    }

    [Test]
    public void Unknown_timesteps_and_extra_steps_are_refused()
    {
        using var scheduler = Make(TestConfigs.Sd21, 2);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 4, 8, 8);
        Assert.Throws<ArgumentException>(() => scheduler.Step(x, torch.tensor(123f), x));
        scheduler.Step(x, scheduler.Timesteps[0], x);
        scheduler.Step(x, scheduler.Timesteps[1], x);
        Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, scheduler.Timesteps[1], x));
    }

    /// <summary>
    /// Runs the first N − 1 Euler steps with the exact model of <paramref name="data"/> and returns the largest
    /// deviation from the exact ODE solution at σ_{N−1} (the last step, into σ = 0, is the denoiser itself).
    /// </summary>
    static double ErrorBeforeLastStep(GaussianData data, int steps, string predictionType)
    {
        using var scope = torch.NewDisposeScope();
        var (x, exact) = RunBeforeLastStep(data, steps, predictionType);
        return (x.to(torch.float64) - exact).abs().max().item<double>();
    }

    /// <summary>x̃ after N − 1 steps and the exact solution at σ_{N−1}, in the caller's dispose scope.</summary>
    static (torch.Tensor X, torch.Tensor Exact) RunBeforeLastStep(GaussianData data, int steps, string predictionType)
    {
        using var scheduler = Make(TestConfigs.Sd21 with { TimestepSpacing = "linspace", PredictionType = predictionType }, steps);
        using var scope = torch.NewDisposeScope();
        var start = data.Sample(scheduler.Sigmas[0], seed: 11);
        var x = start;
        for (var i = 0; i < steps - 1; i++)
        {
            var t = scheduler.Timesteps[i];
            double sigma = scheduler.Sigmas[i];
            // The model sees the scaled input and, being exact, recovers x̃ from it.
            var xTilde = scheduler.ScaleModelInput(x, t).to(torch.float64) * Math.Sqrt(sigma * sigma + 1);
            var output = predictionType == "epsilon" ? data.Epsilon(xTilde, sigma) : data.Velocity(xTilde, sigma);
            x = scheduler.Step(output.to(torch.float32), t, x).PrevSample;
        }
        var exact = data.Flow(start.to(torch.float64), scheduler.Sigmas[0], scheduler.Sigmas[steps - 1]);
        return (x.MoveToOuterDisposeScope(), exact.MoveToOuterDisposeScope());
    }
}
