

using Probe.Diffusion.Schedulers;

namespace Probe.Tests.Schedulers;

public class SchedulerConfigTests
{
    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Reads_every_reference_pipeline_scheduler_config(string dir)
    {
        using var set = new ReferenceSet(dir);
        var config = SchedulerConfig.Load(Path.Combine(set.PipelineDir, "scheduler", "scheduler_config.json"));
        Assert.Multiple(() =>
        {
            Assert.That(config.ClassName, Is.Not.Null.And.Not.Empty);
            Assert.That(config.NumTrainTimesteps, Is.GreaterThan(0));
        });
    }

    [Test]
    public void Reads_the_sd21_ddim_config()
    {
        var config = TestConfigs.Sd21;
        Assert.Multiple(() =>
        {
            Assert.That(config.ClassName, Is.EqualTo("DDIMScheduler"));
            Assert.That(config.BetaSchedule, Is.EqualTo("scaled_linear"));
            Assert.That(config.BetaStart, Is.EqualTo(0.00085));
            Assert.That(config.BetaEnd, Is.EqualTo(0.012));
            Assert.That(config.StepsOffset, Is.EqualTo(1));
            Assert.That(config.SetAlphaToOne, Is.False);
            Assert.That(config.ClipSample, Is.False);
            Assert.That(config.TimestepSpacing, Is.EqualTo("leading"));
            Assert.That(config.PredictionType, Is.EqualTo("epsilon"));
            Assert.That(config.TrainedBetas, Is.Null);
            Assert.That(config.UseKarrasSigmas, Is.Null, "absent keys stay null so each scheduler applies its own default");
        });
    }

    [Test]
    public void Ignores_keys_no_scheduler_takes()
    {
        var config = SchedulerConfig.Parse("""
            { "_class_name": "PNDMScheduler", "_diffusers_version": "0.8.0", "skip_prk_steps": true,
              "some_future_key": {"nested": [1, 2]}, "beta_end": 0.012 }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(config.ClassName, Is.EqualTo("PNDMScheduler"));
            Assert.That(config.BetaEnd, Is.EqualTo(0.012));
        });
    }

    [Test]
    public void Reads_python_non_finite_literals_outside_strings_only()
    {
        // Python's json.dumps writes DPMSolverMultistepScheduler's default lambda_min_clipped as -Infinity.
        var config = SchedulerConfig.Parse("""
            { "_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity, "sigma_max": Infinity,
              "sigma_min": NaN, "algorithm_type": "NaN-Infinity \" -Infinity" }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(config.LambdaMinClipped, Is.EqualTo(double.NegativeInfinity));
            Assert.That(config.SigmaMax, Is.EqualTo(double.PositiveInfinity));
            Assert.That(config.SigmaMin, Is.NaN);
            Assert.That(config.AlgorithmType, Is.EqualTo("NaN-Infinity \" -Infinity"));
        });
    }

    [Test]
    public void Reads_trained_betas()
    {
        var config = SchedulerConfig.Parse("""{ "trained_betas": [0.1, 0.25], "num_train_timesteps": 2 }""");
        Assert.That(config.TrainedBetas, Is.EqualTo(new[] { 0.1, 0.25 }));
    }

    [Test]
    public void A_value_of_the_wrong_type_names_the_source_and_key()
    {
        var e = Assert.Throws<SchedulerConfigException>(() => SchedulerConfig.Parse("""{ "steps_offset": "one" }""", "my/scheduler_config.json"));
        Assert.That(e!.Message, Does.Contain("my/scheduler_config.json").And.Contain("steps_offset"));
    }

    [Test]
    public void A_missing_file_names_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "scheduler_config.json");
        var e = Assert.Throws<SchedulerConfigException>(() => SchedulerConfig.Load(path));
        Assert.That(e!.Message, Does.Contain(path));
    }

    [TestCase("beta_schedule", """{ "beta_schedule": "sigmoid" }""", "ddim")]
    [TestCase("prediction_type", """{ "prediction_type": "x0" }""", "ddim")]
    [TestCase("timestep_spacing", """{ "timestep_spacing": "karras" }""", "euler")]
    [TestCase("interpolation_type", """{ "interpolation_type": "log_linear" }""", "euler")]
    [TestCase("solver_order", """{ "solver_order": 3 }""", "dpm")]
    [TestCase("algorithm_type", """{ "algorithm_type": "sde-dpmsolver++" }""", "dpm")]
    [TestCase("final_sigmas_type", """{ "final_sigmas_type": "one" }""", "dpm")]
    public void Unsupported_values_are_refused_with_the_key_and_the_alternatives(string key, string json, string scheduler)
    {
        var config = SchedulerConfig.Parse(json);
        var e = Assert.Throws<SchedulerConfigException>(() =>
        {
            using IScheduler s = scheduler switch
            {
                "ddim" => new DDIMScheduler(config),
                "euler" => new EulerDiscreteScheduler(config),
                _ => new DPMSolverMultistepScheduler(config),
            };
        });
        Assert.That(e!.Message, Does.Contain(key).And.Contain("use"));
    }
}
