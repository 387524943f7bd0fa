using System.Text.Json;
using Probe.Grpo;
using Probe.Grpo.Diffusion;

namespace Probe.Tests.Grpo;

public class GrpoConfigTests
{
    [Test]
    public void Defaults_are_the_published_values_and_valid()
    {
        var c = new GrpoConfig();
        c.Validate();
        Assert.Multiple(() =>
        {
            Assert.That(c.GroupSize, Is.EqualTo(5));
            Assert.That(c.Steps, Is.EqualTo(20));
            Assert.That(c.Eta, Is.EqualTo(1.0));
            Assert.That(c.ClipRange, Is.EqualTo(1e-4));
            Assert.That(c.AdvantageClipMax, Is.EqualTo(5));
            Assert.That(c.Lora.Rank, Is.EqualTo(4));
        });
    }

    [Test]
    public void Every_bad_key_is_listed_in_one_error()
    {
        var c = new GrpoConfig { GroupSize = 1, Eta = 0, ClipRange = -1, TimestepFraction = 1.5, Lora = new() { Rank = 0 } };
        var e = Assert.Throws<GrpoConfigException>(c.Validate);
        Assert.That(e!.Problems.Select(p => p.Split(' ')[0]), Is.EquivalentTo(new[] { "group_size", "eta", "clip_range", "timestep_fraction", "lora:" }));
    }

    [Test]
    public void Minibatches_must_tile_the_trajectories()
    {
        var c = new GrpoConfig { GroupSize = 5, TrainBatchSize = 4 };
        var e = Assert.Throws<GrpoConfigException>(() => c.ValidateFor(promptCount: 10));
        Assert.That(e!.Message, Does.Contain("train_batch_size = 4").And.Contain("50 trajectories"));
    }

    [Test]
    public void Json_uses_snake_case_keys_and_round_trips()
    {
        var c = new GrpoConfig { Algorithm = GrpoAlgorithm.Ddpo, KlBeta = 0.04 };
        var json = JsonSerializer.Serialize(c, GrpoJson.Options);
        var back = JsonSerializer.Deserialize<GrpoConfig>(json, GrpoJson.Options);
        Assert.Multiple(() =>
        {
            Assert.That(json, Does.Contain("\"group_size\": 5").And.Contain("\"algorithm\": \"ddpo\"").And.Contain("\"kl_beta\": 0.04"));
            Assert.That(back, Is.EqualTo(c).Using<GrpoConfig>((a, b) => JsonSerializer.Serialize(a, GrpoJson.Options) == JsonSerializer.Serialize(b, GrpoJson.Options)));
        });
    }

    [Test]
    public void Seeds_are_stable_and_distinct_per_stream_update_and_index()
    {
        var a = Seeds.Derive(42, 3, SeedStream.RolloutNoise, 7);
        Assert.Multiple(() =>
        {
            Assert.That(Seeds.Derive(42, 3, SeedStream.RolloutNoise, 7), Is.EqualTo(a));
            Assert.That(a, Is.GreaterThanOrEqualTo(0));
            Assert.That(new[] { Seeds.Derive(42, 4, SeedStream.RolloutNoise, 7), Seeds.Derive(42, 3, SeedStream.TrainShuffle, 7), Seeds.Derive(42, 3, SeedStream.RolloutNoise, 8), Seeds.Derive(43, 3, SeedStream.RolloutNoise, 7) },
                        Has.None.EqualTo(a));
        });
    }
}
