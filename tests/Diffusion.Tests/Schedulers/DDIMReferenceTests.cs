using System.Globalization;
using System.Text.RegularExpressions;
using Probe.Diffusion.Schedulers;
using TorchSharp;

namespace Probe.Tests.Schedulers;

/// <summary>
/// Acceptance: every <c>ddim.*</c> tensor of every reference set (diffusers 0.27.2 DDIMScheduler and ddpo-pytorch's
/// ddim_step_with_logprob, see shared/fixtures/FORMAT.md) within its cases.json tolerance. The scheduler is built
/// from the set's own pipeline/scheduler/scheduler_config.json and the cases are discovered by name, so a set with
/// other spacing, prediction type or case count needs no code change.
/// </summary>
public partial class DDIMReferenceTests
{
    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Alphas_cumprod_match_diffusers_float32(string dir)
    {
        using var set = Open(dir);
        using var scheduler = SchedulerOf(set);
        using var scope = torch.NewDisposeScope();
        set.AssertClose("ddim.alphas_cumprod", torch.tensor(scheduler.AlphasCumprod.ToArray()));
    }

    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Timesteps_match_exactly_for_every_step_count(string dir)
    {
        using var set = Open(dir);
        using var scheduler = SchedulerOf(set);
        using var scope = torch.NewDisposeScope();
        var names = set.ExpectedNames("ddim.timesteps_").ToArray();
        Assert.That(names, Is.Not.Empty, $"{set.Name}: no ddim.timesteps_N tensors");
        foreach (var name in names)
        {
            var steps = int.Parse(name["ddim.timesteps_".Length..], CultureInfo.InvariantCulture);
            scheduler.SetTimesteps(steps);
            set.AssertClose(name, scheduler.Timesteps);
        }
    }

    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Deterministic_step_matches(string dir)
    {
        using var set = Open(dir);
        using var scheduler = SchedulerOf(set);
        using var multiple = Assert.EnterMultipleScope();
        foreach (var j in CaseIndices(set))
        {
            using var scope = torch.NewDisposeScope();
            var (t, sample, output) = Prepare(set, scheduler, j);
            var step = scheduler.Step(output, t, sample, eta: 0.0);
            set.AssertClose($"ddim.case{j}.eta0.prev_sample", step.PrevSample);
            set.AssertClose($"ddim.case{j}.eta0.pred_original_sample", step.PredOriginalSample);
        }
    }

    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Stochastic_step_with_given_variance_noise_matches(string dir)
    {
        using var set = Open(dir);
        using var scheduler = SchedulerOf(set);
        using var multiple = Assert.EnterMultipleScope();
        foreach (var j in CaseIndices(set))
        {
            using var scope = torch.NewDisposeScope();
            var (t, sample, output) = Prepare(set, scheduler, j);
            var step = scheduler.Step(output, t, sample, eta: 1.0, varianceNoise: set.Input("ddim.variance_noise"));
            set.AssertClose($"ddim.case{j}.eta1.prev_sample", step.PrevSample);
            set.AssertClose($"ddim.case{j}.eta1.pred_original_sample", step.PredOriginalSample);
            // The log-probability of the sample the step itself drew (differs from the reference's input only by
            // the step's float error).
            set.AssertClose($"ddim.case{j}.eta1.log_prob", step.LogProb!);
        }
    }

    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Log_prob_matches_ddpo_with_per_sample_timesteps(string dir)
    {
        using var set = Open(dir);
        using var scheduler = SchedulerOf(set);
        using var multiple = Assert.EnterMultipleScope();
        foreach (var j in CaseIndices(set))
        {
            using var scope = torch.NewDisposeScope();
            var (t, sample, output) = Prepare(set, scheduler, j);
            // As the reference called ddpo: timestep = full((B,), t), prev_sample = the recorded sample.
            var perSample = torch.full(sample.shape[0], t.item<long>(), dtype: torch.int64);
            var ofEta1 = DDIMLogProb.Of(scheduler, output, perSample, sample, set.Expected($"ddim.case{j}.eta1.prev_sample"), eta: 1.0);
            var ofEta0 = DDIMLogProb.Of(scheduler, output, perSample, sample, set.Expected($"ddim.case{j}.eta0.prev_sample"), eta: 1.0);
            set.AssertClose($"ddim.case{j}.eta1.log_prob", ofEta1);
            set.AssertClose($"ddim.case{j}.eta1.log_prob_of_eta0_sample", ofEta0);
        }
    }

    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Step_statistics_match(string dir)
    {
        using var set = Open(dir);
        using var scheduler = SchedulerOf(set);
        using var multiple = Assert.EnterMultipleScope();
        foreach (var j in CaseIndices(set))
        {
            using var scope = torch.NewDisposeScope();
            var (t, sample, output) = Prepare(set, scheduler, j);
            var step = scheduler.Step(output, t, sample, eta: 1.0, varianceNoise: set.Input("ddim.variance_noise"));
            set.AssertClose($"ddim.case{j}.alpha_prod_t", step.AlphaProdT);
            set.AssertClose($"ddim.case{j}.alpha_prod_t_prev", step.AlphaProdTPrev);
            set.AssertClose($"ddim.case{j}.variance", step.Variance);
        }
    }

    /// <summary>
    /// The reference pipeline's own DDIM loop (eta from meta, guidance u + w·(c − u) on the recorded UNet outputs):
    /// each recorded step's latents follow from the previous step's recorded latents.
    /// </summary>
    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Pipeline_denoising_loop_steps_match(string dir)
    {
        using var set = Open(dir);
        if (!set.HasExpected("pipeline.step0.noise_pred_raw") || !set.HasInput("pipeline.latents"))
            Assert.Ignore($"{set.Name} records no pipeline denoising loop");
        var meta = set.Meta.GetProperty("pipeline");
        var guidance = meta.GetProperty("guidance_scale").GetDouble();
        var eta = meta.GetProperty("eta").GetDouble();
        Assume.That(eta, Is.EqualTo(0.0), "the recorded loop is stochastic; its noise is not recorded");
        using var scheduler = SchedulerOf(set);
        scheduler.SetTimesteps(meta.GetProperty("num_inference_steps").GetInt32());
        using (var scope = torch.NewDisposeScope())
            set.AssertClose("pipeline.timesteps", scheduler.Timesteps);

        using var multiple = Assert.EnterMultipleScope();
        for (var i = 0; set.HasExpected($"pipeline.step{i}.noise_pred_raw"); i++)
        {
            using var scope = torch.NewDisposeScope();
            var latents = i == 0 ? set.Input("pipeline.latents") : set.Expected($"pipeline.step{i - 1}.latents");
            var raw = set.Expected($"pipeline.step{i}.noise_pred_raw").chunk(2);
            var guided = raw[0] + guidance * (raw[1] - raw[0]);
            var step = scheduler.Step(guided, scheduler.Timesteps[i], latents);
            set.AssertClose($"pipeline.step{i}.latents", step.PrevSample);
        }
    }

    static ReferenceSet Open(string dir)
    {
        var set = new ReferenceSet(dir);
        if (!set.HasExpected("ddim.alphas_cumprod"))
        {
            set.Dispose();
            Assert.Ignore($"{Fixtures.NameOf(dir)} has no ddim tensors");
        }
        return set;
    }

    static DDIMScheduler SchedulerOf(ReferenceSet set) =>
        new(SchedulerConfig.Load(Path.Combine(set.PipelineDir, "scheduler", "scheduler_config.json")));

    static int[] CaseIndices(ReferenceSet set)
    {
        var cases = set.ExpectedNames("ddim.case")
            .Select(n => CaseName().Match(n))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Distinct().Order().ToArray();
        Assert.That(cases, Is.Not.Empty, $"{set.Name}: no ddim.case{{j}} tensors");
        return cases;
    }

    /// <summary>
    /// SetTimesteps with the case's step count and loads its inputs; checks the case's recorded previous timestep
    /// against the scheduler's step size.
    /// </summary>
    static (torch.Tensor Timestep, torch.Tensor Sample, torch.Tensor ModelOutput) Prepare(ReferenceSet set, DDIMScheduler scheduler, int j)
    {
        var caseMeta = set.Meta.TryGetProperty($"ddim.case{j}", out var m) ? m : default;
        var steps = caseMeta.ValueKind == System.Text.Json.JsonValueKind.Object && caseMeta.TryGetProperty("num_inference_steps", out var s)
            ? s.GetInt32()
            : (int)set.Input("ddim.num_inference_steps").item<long>();
        scheduler.SetTimesteps(steps);
        var t = set.Input($"ddim.case{j}.timestep");
        if (caseMeta.ValueKind == System.Text.Json.JsonValueKind.Object && caseMeta.TryGetProperty("prev_timestep", out var prev))
            Assert.That(t.item<long>() - scheduler.StepRatio, Is.EqualTo(prev.GetInt64()), $"{set.Name}: case {j} previous timestep");
        return (t, set.Input("ddim.sample"), set.Input("ddim.model_output"));
    }

    [GeneratedRegex(@"^ddim\.case(\d+)\.")]
    private static partial Regex CaseName();
}
