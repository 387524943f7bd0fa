using Probe.Diffusion.Schedulers;
using TorchSharp;

namespace Probe.Tests.Schedulers;

public class DPMSolverMultistepSchedulerTests
{
    static DPMSolverMultistepScheduler Make(SchedulerConfig config, int steps)
    {
        var scheduler = new DPMSolverMultistepScheduler(config);
        scheduler.SetTimesteps(steps);
        return scheduler;
    }

    // scheduling_dpmsolver_multistep.py:322-337, n + 1 points with the last dropped:
    // linspace: linspace(0, 999, n + 1).round()[::-1][:-1]; n = 4: 0, 249.75, 499.5, 749.25, 999 -> 999, 749, 500, 250.
    // leading: arange(n + 1) * (1000 // (n + 1)) reversed, last dropped, + steps_offset; n = 4: 800..200 + 1.
    // trailing: round(arange(1000, 0, -1000/n)) - 1.
    [TestCase("linspace", 0, 4, new long[] { 999, 749, 500, 250 })]
    [TestCase("linspace", 0, 5, new long[] { 999, 799, 599, 400, 200 })]
    [TestCase("leading", 1, 4, new long[] { 801, 601, 401, 201 })]
    [TestCase("leading", 1, 5, new long[] { 831, 665, 499, 333, 167 })]
    [TestCase("trailing", 0, 4, new long[] { 999, 749, 499, 249 })]
    public void Timesteps_follow_the_spacing(string spacing, int offset, int steps, long[] expected)
    {
        using var scheduler = Make(TestConfigs.Sd21 with { TimestepSpacing = spacing, StepsOffset = offset }, steps);
        Assert.Multiple(() =>
        {
            Assert.That(scheduler.Timesteps.dtype, Is.EqualTo(torch.ScalarType.Int64));
            Assert.That(scheduler.Timesteps.data<long>().ToArray(), Is.EqualTo(expected));
            Assert.That(scheduler.NumInferenceSteps, Is.EqualTo(steps));
        });
    }

    [TestCase("zero")]
    [TestCase("sigma_min")]
    public void Sigmas_are_the_training_sigmas_at_the_timesteps_then_the_final_sigma(string finalSigmas)
    {
        using var scheduler = Make(TestConfigs.Sd21 with { TimestepSpacing = "linspace", FinalSigmasType = finalSigmas }, 4);
        Assert.Multiple(() =>
        {
            var timesteps = scheduler.Timesteps.data<long>().ToArray();
            for (var i = 0; i < 4; i++)
                Assert.That(scheduler.Sigmas[i], Is.EqualTo(TestConfigs.TrainSigma(scheduler.AlphasCumprod, (int)timesteps[i])).Within(1e-7 * scheduler.Sigmas[i]), $"sigma[{i}]");
            Assert.That(scheduler.Sigmas[4], finalSigmas == "zero"
                ? Is.EqualTo(0f)
                : Is.EqualTo(TestConfigs.TrainSigma(scheduler.AlphasCumprod, 0)).Within(1e-7));
        });
    }

    [Test]
    public void Lambda_min_clipped_drops_the_timesteps_whose_log_snr_is_below_it()
    {
        // The cosine schedule's last steps have λ = log(α/σ) far below −5.1 (unCLIP's setting).
        var config = new SchedulerConfig { BetaSchedule = "squaredcos_cap_v2", LambdaMinClipped = -5.1 };
        using var scheduler = Make(config, 10);
        var first = scheduler.Timesteps[0].item<long>();
        double Lambda(long t) => 0.5 * Math.Log(scheduler.AlphasCumprod[(int)t] / (1.0 - scheduler.AlphasCumprod[(int)t]));
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.LessThan(999));
            Assert.That(Lambda(first), Is.GreaterThanOrEqualTo(-5.1));
            Assert.That(Lambda(first + 1), Is.LessThan(-5.1));
        });
    }

    [Test]
    public void First_order_dpm_solver_pp_is_ddim()
    {
        // DPM-Solver++(1) is DDIM (arXiv:2211.01095, section 4): with trailing spacing both visit 999, 899, …, 99
        // and end on a clean sample (σ = 0 here, ᾱ_prev = 1 there).
        var data = new GaussianData(mean: 0.1, std: 0.6);
        using var dpm = Make(TestConfigs.Sd21 with { TimestepSpacing = "trailing", SolverOrder = 1 }, 10);
        using var ddim = new DDIMScheduler(TestConfigs.Sd21 with { TimestepSpacing = "trailing", SetAlphaToOne = true });
        ddim.SetTimesteps(10);
        using var scope = torch.NewDisposeScope();
        Assert.That(dpm.Timesteps.data<long>().ToArray(), Is.EqualTo(ddim.Timesteps.data<long>().ToArray()));

        var start = data.Sample(TestConfigs.TrainSigma(dpm.AlphasCumprod, 999), seed: 5) * Math.Sqrt(dpm.AlphasCumprod[999]);
        torch.Tensor xDpm = start, xDdim = start;
        for (var i = 0; i < 10; i++)
        {
            var t = (int)dpm.Timesteps[i].item<long>();
            xDpm = dpm.Step(Epsilon(data, xDpm, dpm.AlphasCumprod, t), dpm.Timesteps[i], xDpm).PrevSample;
            xDdim = ddim.Step(Epsilon(data, xDdim, ddim.AlphasCumprod, t), ddim.Timesteps[i], xDdim).PrevSample;
        }
        DDIMSchedulerTests.AssertClose(xDpm, xDdim, 2e-5);
    }

    [Test]
    public void Zero_noise_prediction_keeps_the_noise_free_sample_fixed()
    {
        // With ε̂ = 0, x̂₀ = x/α at every step and x_t = (α_t/α_s)·x: x/α is invariant, so the final (σ = 0, α = 1)
        // sample is the start divided by α_0 = 1/√(σ_0² + 1).
        using var scheduler = Make(TestConfigs.Sd21, 8);
        using var scope = torch.NewDisposeScope();
        var start = torch.randn(1, 4, 8, 8);
        var x = start;
        for (var i = 0; i < 8; i++)
            x = scheduler.Step(torch.zeros_like(x), scheduler.Timesteps[i], x).PrevSample;
        double sigma0 = scheduler.Sigmas[0];
        DDIMSchedulerTests.AssertClose(x, start.to(torch.float64) * Math.Sqrt(sigma0 * sigma0 + 1), 1e-5);
    }

    [TestCase("midpoint")]
    [TestCase("heun")]
    public void Second_order_multistep_converges_to_the_exact_ode_solution_at_second_order(string solverType)
    {
        var data = new GaussianData(mean: 0.3, std: 0.5);
        var errors = new[] { 10, 20, 40 }.Select(n => ErrorAtTimestep500(data, n, solverType)).ToArray();
        TestContext.Out.WriteLine($"DPM-Solver++ 2M ({solverType}) max|x̃ − exact| at t = 500 for N = 10, 20, 40: {string.Join(", ", errors.Select(e => e.ToString("E3")))}");
        Assert.Multiple(() =>
        {
            // Halving the step size quarters the global error of a second-order method.
            Assert.That(errors[0] / errors[1], Is.InRange(3.0, 5.5));
            Assert.That(errors[1] / errors[2], Is.InRange(3.0, 5.5));
        });
    }

    [Test]
    public void Final_step_into_sigma_zero_lands_on_the_data_prediction()
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
    public void Lower_order_final_makes_the_last_step_of_a_short_schedule_first_order()
    {
        // With final_sigmas_type sigma_min the last step is not forced to first order, so only lower_order_final
        // (fewer than 15 steps) decides it (scheduling_dpmsolver_multistep.py:937-941).
        var data = new GaussianData(mean: 0.3, std: 0.5);
        using var scope = torch.NewDisposeScope();
        var config = TestConfigs.Sd21 with { FinalSigmasType = "sigma_min" };
        var lowered = Trajectory(data, config with { LowerOrderFinal = true }, 8);
        var secondOrder = Trajectory(data, config with { LowerOrderFinal = false }, 8);
        var eulerAtFinal = Trajectory(data, config with { LowerOrderFinal = false, EulerAtFinal = true }, 8);
        Assert.Multiple(() =>
        {
            for (var i = 0; i < 7; i++)
                DDIMSchedulerTests.AssertClose(lowered[i], secondOrder[i], 0);
            Assert.That((lowered[7] - secondOrder[7]).abs().max().item<float>(), Is.GreaterThan(1e-4), "the last step differs");
            DDIMSchedulerTests.AssertClose(eulerAtFinal[7], lowered[7], 0);
        });
    }

    [Test]
    public void Karras_sigmas_span_the_training_range_and_map_back_to_rounded_timesteps()
    {
        using var scheduler = Make(TestConfigs.Sd21 with { UseKarrasSigmas = true }, 10);
        double max = TestConfigs.TrainSigma(scheduler.AlphasCumprod, 999), min = TestConfigs.TrainSigma(scheduler.AlphasCumprod, 0);
        var timesteps = scheduler.Timesteps.data<long>().ToArray();
        Assert.Multiple(() =>
        {
            for (var i = 0; i < 10; i++)
            {
                var expected = Math.Pow(Math.Pow(max, 1 / 7.0) + i / 9.0 * (Math.Pow(min, 1 / 7.0) - Math.Pow(max, 1 / 7.0)), 7);
                Assert.That(scheduler.Sigmas[i], Is.EqualTo(expected).Within(2e-7 * expected), $"sigma[{i}]");
            }
            Assert.That(timesteps[0], Is.EqualTo(999));
            Assert.That(timesteps[^1], Is.EqualTo(0));
            Assert.That(timesteps.Zip(timesteps.Skip(1)).All(p => p.First >= p.Second), Is.True, "timesteps do not increase");
        });
    }

    [Test]
    public void History_survives_the_callers_dispose_scopes()
    {
        var data = new GaussianData(mean: 0.3, std: 0.5);
        using var outer = torch.NewDisposeScope();
        var reference = Trajectory(data, TestConfigs.Sd21, 6)[^1];

        using var scheduler = Make(TestConfigs.Sd21, 6);
        var x = data.Sample(scheduler.Sigmas[0], seed: 3) / Math.Sqrt((double)scheduler.Sigmas[0] * scheduler.Sigmas[0] + 1);
        for (var i = 0; i < 6; i++)
        {
            using var scope = torch.NewDisposeScope();
            var step = scheduler.Step(Epsilon(data, x, scheduler.Sigmas[i]), scheduler.Timesteps[i], x);
            step.PredOriginalSample.Dispose(); // the caller's handle; the scheduler keeps its own
            x = step.PrevSample.MoveToOuterDisposeScope();
        }
        DDIMSchedulerTests.AssertClose(x, reference, 0);
    }

    [Test]
    public void Set_timesteps_starts_a_fresh_run()
    {
        var data = new GaussianData(mean: 0.3, std: 0.5);
        using var scope = torch.NewDisposeScope();
        using var scheduler = Make(TestConfigs.Sd21, 5);
        var first = Run(data, scheduler, 5);
        scheduler.SetTimesteps(5);
        var second = Run(data, scheduler, 5);
        DDIMSchedulerTests.AssertClose(second, first, 0);
    }

    [Test]
    public void Stepping_before_set_timesteps_says_what_to_do()
    {
        using var scheduler = new DPMSolverMultistepScheduler(TestConfigs.Sd21);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 4, 8, 8);
        var e = Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, torch.tensor(999L), x));
        Assert.That(e!.Message, Does.Contain("SetTimesteps"));
    }

    /// <summary>The exact ε̂ for VP sample x at training timestep t.</summary>
    static torch.Tensor Epsilon(GaussianData data, torch.Tensor x, IReadOnlyList<float> alphasCumprod, int t) =>
        Epsilon(data, x, TestConfigs.TrainSigma(alphasCumprod, t));

    /// <summary>The exact ε̂ for VP sample x at noise level σ (x̃ = x·√(σ² + 1)).</summary>
    static torch.Tensor Epsilon(GaussianData data, torch.Tensor x, double sigma) =>
        data.Epsilon(x.to(torch.float64) * Math.Sqrt(sigma * sigma + 1), sigma).to(torch.float32);

    /// <summary>Samples after each step of an exact-model run from a fixed start.</summary>
    static List<torch.Tensor> Trajectory(GaussianData data, SchedulerConfig config, int steps)
    {
        using var scheduler = Make(config, steps);
        var x = data.Sample(scheduler.Sigmas[0], seed: 3) / Math.Sqrt((double)scheduler.Sigmas[0] * scheduler.Sigmas[0] + 1);
        var samples = new List<torch.Tensor>();
        for (var i = 0; i < steps; i++)
        {
            x = scheduler.Step(Epsilon(data, x, scheduler.Sigmas[i]), scheduler.Timesteps[i], x).PrevSample;
            samples.Add(x);
        }
        return samples;
    }

    static torch.Tensor Run(GaussianData data, DPMSolverMultistepScheduler scheduler, int steps)
    {
        var x = data.Sample(scheduler.Sigmas[0], seed: 9) / Math.Sqrt((double)scheduler.Sigmas[0] * scheduler.Sigmas[0] + 1);
        for (var i = 0; i < steps; i++)
            x = scheduler.Step(Epsilon(data, x, scheduler.Sigmas[i]), scheduler.Timesteps[i], x).PrevSample;
        return x;
    }

    /// <summary>
    /// Runs DPM-Solver++ 2M with the exact model from σ(999) until the sample sits at timestep 500 (on every
    /// linspace grid used here: linspace(0, 999, N + 1) holds 499.5, rounded to 500), and returns max |x̃ − exact|
    /// there. The interval stops short of t → 0, where σ ∝ √t keeps the last λ-step near ½·log 2 however large N is.
    /// </summary>
    static double ErrorAtTimestep500(GaussianData data, int steps, string solverType)
    {
        using var scheduler = Make(TestConfigs.Sd21 with { TimestepSpacing = "linspace", SolverType = solverType }, steps);
        using var scope = torch.NewDisposeScope();
        var stop = Array.IndexOf(scheduler.Timesteps.data<long>().ToArray(), 500L);
        Assert.That(stop, Is.GreaterThan(0), $"timestep 500 in the {steps}-step schedule");
        double sigma0 = scheduler.Sigmas[0], sigmaEnd = scheduler.Sigmas[stop];
        var startTilde = data.Sample(sigma0, seed: 11);
        var x = startTilde / Math.Sqrt(sigma0 * sigma0 + 1);
        for (var i = 0; i < stop; i++)
            x = scheduler.Step(Epsilon(data, x, scheduler.Sigmas[i]), scheduler.Timesteps[i], x).PrevSample;
        var xTilde = x.to(torch.float64) * Math.Sqrt(sigmaEnd * sigmaEnd + 1);
        var exact = data.Flow(startTilde.to(torch.float64), sigma0, sigmaEnd);
        return (xTilde - exact).abs().max().item<double>();
    }
}
