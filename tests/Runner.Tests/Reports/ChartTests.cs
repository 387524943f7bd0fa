using System.Globalization;
using System.Text.RegularExpressions;
using Probe.Evaluation.Results;
using Probe.Evaluation.Statistics;
using Probe.Runner.Reports.Html;

namespace Probe.Tests.Reports;

public class ChartTests
{
    [TestCase(0.0, 0.67, new[] { 0.0, 0.2, 0.4, 0.6 })]
    [TestCase(-0.13, 0.41, new[] { -0.2, 0.0, 0.2, 0.4 })]
    [TestCase(0.0, 29.0, new[] { 0.0, 10, 20 })]
    [TestCase(3.0, 3.0, new[] { 3.0 })]
    public void Ticks_are_round_numbers_covering_the_range(double low, double high, double[] expected)
    {
        Assert.That(Svg.Ticks(low, high), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Rate_bars_and_whiskers_sit_at_the_rate_and_its_wilson_interval()
    {
        var svg = RateChart.Render(["before", "after"], [("sexual", [new Proportion(3, 40), null])], 0.05);
        // The 0% and 100% grid lines give the plot's extent; 3/40 = 0.075, Wilson 95% [0.02584, 0.19864].
        var grid = Regex.Matches(svg, "<line class=\"grid\" x1=\"([0-9.]+)\"").Select(m => Number(m.Groups[1].Value)).ToList();
        var (left, plotWidth) = (grid[0], grid[^1] - grid[0]);
        var bar = Regex.Match(svg, "<rect x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\" height=\"14\" fill=\"#4e79a7\"/>");
        Assert.That(Number(bar.Groups[1].Value), Is.EqualTo(left));
        Assert.That(Number(bar.Groups[2].Value), Is.EqualTo(0.075 * plotWidth).Within(0.01));
        var whisker = Regex.Match(svg, "<path class=\"ci\" d=\"M([0-9.]+) [0-9.]+H([0-9.]+)");
        Assert.That(Number(whisker.Groups[1].Value), Is.EqualTo(left + 0.02584 * plotWidth).Within(0.01));
        Assert.That(Number(whisker.Groups[2].Value), Is.EqualTo(left + 0.19864 * plotWidth).Within(0.01));
        Assert.That(svg, Does.Contain("7.5% [2.6, 19.9] 3/40"));
        Assert.That(svg, Does.Contain("not in this run"), "the second run lacks the category");
    }

    [Test]
    public void Reward_curve_draws_every_finite_point_and_a_band_where_std_is_known()
    {
        using var dir = new TempDir();
        var path = dir.File("train_log.csv");
        File.WriteAllText(path, "update,reward_mean,reward_std\n0,0.1,0.05\n1,0.3,0.05\n2,,\n3,0.6,\n");
        var svg = RewardChart.Render(TrainLog.Read(path), "reward")!;
        var points = Regex.Match(svg, "<polyline class=\"reward-line\" points=\"([^\"]*)\"").Groups[1].Value.Split(' ');
        Assert.That(points, Has.Length.EqualTo(3), "update 2 has no reward");
        var band = Regex.Match(svg, "<polygon class=\"reward-band\" points=\"([^\"]*)\"").Groups[1].Value.Split(' ');
        Assert.That(band, Has.Length.EqualTo(4), "updates 0 and 1, upper and lower edge");
        var xs = points.Select(p => Number(p.Split(',')[0])).ToList();
        Assert.That(xs, Is.Ordered.Ascending);
        var gridLine = Regex.Match(svg, "<line x1=\"([0-9.]+)\" y1=\"[0-9.]+\" x2=\"([0-9.]+)\"");
        Assert.That(xs[0], Is.EqualTo(Number(gridLine.Groups[1].Value)), "first update at the plot's left edge");
        Assert.That(xs[^1], Is.EqualTo(Number(gridLine.Groups[2].Value)), "last update at the plot's right edge");
        Assert.That(svg, Does.Not.Contain("unsafe-line"), "a log without unsafe_rate has one panel");
    }

    [Test]
    public void Unsafe_rate_per_update_is_drawn_beside_the_reward_when_the_log_has_it()
    {
        using var dir = new TempDir();
        var path = dir.File("train_log.csv");
        File.WriteAllText(path, "update,reward_mean,reward_std,unsafe_rate\n0,0.1,0.05,0.25\n1,0.3,0.05,\n2,0.5,0.05,0.75\n");
        var svg = RewardChart.Render(TrainLog.Read(path), "reward")!;
        var points = Regex.Match(svg, "<polyline class=\"unsafe-line\" points=\"([^\"]*)\"").Groups[1].Value.Split(' ');
        Assert.That(points, Has.Length.EqualTo(2), "update 1 has no unsafe rate");
        var rewardRight = Regex.Match(svg, "<polyline class=\"reward-line\" points=\"[^\"]* ([0-9.]+),[0-9.]+\"").Groups[1].Value;
        Assert.That(Number(points[0].Split(',')[0]), Is.GreaterThan(Number(rewardRight)), "the unsafe panel sits right of the reward panel");
        Assert.That(svg, Does.Contain(">100%</text>").And.Contain(">0%</text>"), "a fixed 0–100% axis");
    }

    [Test]
    public void A_log_without_rewards_has_no_chart()
    {
        using var dir = new TempDir();
        var path = dir.File("train_log.csv");
        File.WriteAllText(path, "update,reward_mean\n0,\n1,\n");
        Assert.That(RewardChart.Render(TrainLog.Read(path), "reward"), Is.Null);
    }

    [Test]
    public void Long_category_and_run_names_are_cut_to_fit_with_the_full_name_in_the_title()
    {
        var category = "violence-graphic-and-gore-including-very-long-descriptive-suffix";
        var svg = RateChart.Render([new string('r', 200)], [(category, [new Proportion(1, 2)])], 0.05);
        Assert.That(svg, Does.Contain($"<title>{category}</title>"));
        Assert.That(svg, Does.Contain(">violence-graphic-and-gore").And.Contain("&#x2026;</text>"), "the visible label starts like the name and is cut (ellipsis escaped)");
        Assert.That(SvgLabels.Problems(svg), Is.Empty);
    }

    [Test]
    public void Rate_chart_labels_neither_overlap_nor_leave_the_picture()
    {
        var runs = Enumerable.Range(1, 5).Select(i => $"run {i}: attacked-model-with-a-long-run-identifier-{i:000}").ToList();
        string[] categories = ["sexual", "violence-graphic-and-gore-including-very-long-descriptive-suffix", "日本語のとても長いカテゴリ名です", "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW", "x"];
        var rows = categories.Select((c, i) => (c, (IReadOnlyList<Proportion?>)runs.Select((_, r) => r == i ? null : (Proportion?)new Proportion(9999 - r, 10000)).ToList())).ToList();
        Assert.That(SvgLabels.Problems(RateChart.Render(runs, rows, 0.05)), Is.Empty);
    }

    [TestCase(0, 3, -0.0125, 0.0125)]
    [TestCase(0, 12345, -123456.789, 98765.4321)]
    [TestCase(100000, 100007, 0.5, 0.5)]
    [TestCase(0, 1, 0, 1)]
    public void Reward_chart_labels_neither_overlap_nor_leave_the_picture(int firstUpdate, int lastUpdate, double lowReward, double highReward)
    {
        using var dir = new TempDir();
        var path = dir.File("train_log.csv");
        var rows = Enumerable.Range(0, 40).Select(i =>
        {
            // Updates are whole numbers in a train log (a short run repeats some over the 40 rows).
            var update = (int)Math.Round(firstUpdate + (lastUpdate - firstUpdate) * i / 39.0);
            var reward = lowReward + (highReward - lowReward) * i / 39.0;
            return string.Create(CultureInfo.InvariantCulture, $"{update},{reward},{Math.Abs(reward) / 10},{i / 39.0}");
        });
        File.WriteAllText(path, "update,reward_mean,reward_std,unsafe_rate\n" + string.Join("\n", rows) + "\n");
        var svg = RewardChart.Render(TrainLog.Read(path), "reward")!;
        Assert.That(SvgLabels.Problems(svg), Is.Empty);
    }

    static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
