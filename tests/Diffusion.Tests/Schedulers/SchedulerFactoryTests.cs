using Probe.Diffusion.Schedulers;
using TorchSharp;

namespace Probe.Tests.Schedulers;

public class SchedulerFactoryTests
{
    [TestCase("ddim", typeof(DDIMScheduler))]
    [TestCase("euler", typeof(EulerDiscreteScheduler))]
    [TestCase("dpmpp2m", typeof(DPMSolverMultistepScheduler))]
    [TestCase(" DPMPP2M ", typeof(DPMSolverMultistepScheduler))]
    public void Builds_each_scheduler_by_name_from_the_same_pipeline_config(string name, Type expected)
    {
        using var scheduler = SchedulerFactory.Create(name, TestConfigs.Sd21);
        Assert.That(scheduler, Is.InstanceOf(expected));
    }

    [Test]
    public void The_class_name_picks_the_default_scheduler()
    {
        using var fromFile = SchedulerFactory.Load(Path.Combine(Fixtures.Root, "sd21-tiny", "pipeline", "scheduler", "scheduler_config.json"));
        using var euler = SchedulerFactory.FromConfig(TestConfigs.Sd21 with { ClassName = "EulerDiscreteScheduler" });
        using var dpm = SchedulerFactory.FromConfig(TestConfigs.Sd21 with { ClassName = "DPMSolverMultistepScheduler" });
        Assert.Multiple(() =>
        {
            Assert.That(fromFile, Is.InstanceOf<DDIMScheduler>());
            Assert.That(euler, Is.InstanceOf<EulerDiscreteScheduler>());
            Assert.That(dpm, Is.InstanceOf<DPMSolverMultistepScheduler>());
        });
    }

    [Test]
    public void Shared_keys_carry_over_and_missing_keys_take_each_schedulers_default()
    {
        // As Scheduler.from_config(pipe.scheduler.config): the SD 2.x config's leading spacing and offset reach Euler
        // and DPM-Solver; a config without timestep_spacing gives DDIM leading but Euler and DPM-Solver linspace.
        using var euler = (EulerDiscreteScheduler)SchedulerFactory.Create("euler", TestConfigs.Sd21);
        using var dpm = (DPMSolverMultistepScheduler)SchedulerFactory.Create("dpmpp2m", TestConfigs.Sd21);
        var bare = new SchedulerConfig();
        using var bareDdim = (DDIMScheduler)SchedulerFactory.Create("ddim", bare);
        using var bareEuler = (EulerDiscreteScheduler)SchedulerFactory.Create("euler", bare);
        using var bareDpm = (DPMSolverMultistepScheduler)SchedulerFactory.Create("dpmpp2m", bare);
        using var ddim = new DDIMScheduler(TestConfigs.Sd21);
        Assert.Multiple(() =>
        {
            Assert.That(euler.TimestepSpacing, Is.EqualTo("leading"));
            Assert.That(euler.StepsOffset, Is.EqualTo(1));
            Assert.That(dpm.TimestepSpacing, Is.EqualTo("leading"));
            Assert.That(euler.AlphasCumprod, Is.EqualTo(ddim.AlphasCumprod), "same training schedule");
            Assert.That(dpm.AlphasCumprod, Is.EqualTo(ddim.AlphasCumprod), "same training schedule");
            Assert.That(bareDdim.TimestepSpacing, Is.EqualTo("leading"));
            Assert.That(bareDdim.ClipSample, Is.True);
            Assert.That(bareDdim.SetAlphaToOne, Is.True);
            Assert.That(bareEuler.TimestepSpacing, Is.EqualTo("linspace"));
            Assert.That(bareDpm.TimestepSpacing, Is.EqualTo("linspace"));
            Assert.That(bareDpm.LowerOrderFinal, Is.True);
            Assert.That(bareDpm.FinalSigmasType, Is.EqualTo("zero"));
        });
    }

    [Test]
    public void Dpmpp2m_is_second_order_dpm_solver_pp_whatever_the_config_says()
    {
        using var scheduler = (DPMSolverMultistepScheduler)SchedulerFactory.Create("dpmpp2m",
            TestConfigs.Sd21 with { ClassName = "DPMSolverMultistepScheduler", AlgorithmType = "sde-dpmsolver++", SolverOrder = 3 });
        Assert.Multiple(() =>
        {
            Assert.That(scheduler.AlgorithmType, Is.EqualTo("dpmsolver++"));
            Assert.That(scheduler.SolverOrder, Is.EqualTo(2));
        });
    }

    [Test]
    public void Every_scheduler_runs_the_same_pipeline_loop()
    {
        foreach (var name in SchedulerFactory.Names)
        {
            using var scheduler = SchedulerFactory.Create(name, TestConfigs.Sd21);
            scheduler.SetTimesteps(6, torch.CPU);
            using var scope = torch.NewDisposeScope();
            var latents = torch.randn(1, 4, 8, 8) * scheduler.InitNoiseSigma;
            for (var i = 0; i < scheduler.Timesteps.shape[0]; i++)
            {
                var t = scheduler.Timesteps[i];
                var input = scheduler.ScaleModelInput(latents, t);
                latents = scheduler.Step(0.1 * input, t, latents).PrevSample;
            }
            Assert.That(latents.isfinite().all().item<bool>(), Is.True, name);
        }
    }

    [Test]
    public void Unknown_names_and_classes_list_the_alternatives()
    {
        var byName = Assert.Throws<ArgumentException>(() => SchedulerFactory.Create("plms", TestConfigs.Sd21));
        var byClass = Assert.Throws<SchedulerConfigException>(() => SchedulerFactory.FromConfig(TestConfigs.Sd21 with { ClassName = "PNDMScheduler" }));
        var noClass = Assert.Throws<SchedulerConfigException>(() => SchedulerFactory.FromConfig(new SchedulerConfig()));
        Assert.Multiple(() =>
        {
            Assert.That(byName!.Message, Does.Contain("ddim, euler, dpmpp2m"));
            Assert.That(byClass!.Message, Does.Contain("PNDMScheduler").And.Contain("DDIMScheduler").And.Contain("by name"));
            Assert.That(noClass!.Message, Does.Contain("_class_name"));
        });
    }
}
