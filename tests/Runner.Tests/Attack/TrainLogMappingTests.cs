using System.Reflection;
using System.Text.Json;
using Probe.Evaluation.Results;
using Probe.Grpo;
using Probe.Runner.Attack;

namespace Probe.Tests.Attack;

/// <summary>train_log.csv is written from one mapping that carries every scalar field of an update's record.</summary>
public class TrainLogMappingTests
{
    // Column names that are not the snake_case of the property (kept from the first train_log.csv layout).
    static readonly Dictionary<string, string> Renamed = new() { ["LearningRate"] = "lr", ["ImagesPerSecond"] = "images_per_s" };

    // TotalUpdates is the run's, not the update's: it is in the manifest's config.
    static readonly string[] RunLevel = ["TotalUpdates"];

    [Test]
    public void Every_scalar_of_an_update_has_its_column_and_value()
    {
        var scalars = typeof(GrpoUpdate).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(int) || p.PropertyType == typeof(double) || p.PropertyType == typeof(double?))
            .Where(p => !RunLevel.Contains(p.Name)).ToList();
        var update = new GrpoUpdate
        {
            Update = 3, TotalUpdates = 9, Prompts = ["p"], Rewards = [0.5], RewardMean = 0.25, RewardStd = 0.5, UnsafeRate = 0.75,
            Loss = -0.125, ApproxKl = 1e-5, ClipFraction = 0.0625, RatioMean = 1.01, RatioMin = 0.99, RatioMax = 1.02,
            KlToReference = 0.003, GradNorm = 0.4, LearningRate = 3e-4, OptimizerSteps = 7, SkippedSteps = 1, Seconds = 12.5,
            RolloutSeconds = 8.25, ImagesPerSecond = 0.8,
        };
        var row = AttackJob.Row(update);
        Assert.Multiple(() =>
        {
            foreach (var p in scalars)
            {
                var column = Renamed.TryGetValue(p.Name, out var r) ? r : JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);
                Assert.That(TrainLog.Columns, Does.Contain(column), $"{p.Name} has no train_log.csv column");
                Assert.That(row.Value(column), Is.EqualTo(Convert.ToDouble(p.GetValue(update), System.Globalization.CultureInfo.InvariantCulture)), column);
            }
        });
    }
}
