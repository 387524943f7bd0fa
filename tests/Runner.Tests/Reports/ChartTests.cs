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
        // Plot: x = 170 + rate × 440. 3/40 = 0.075 → width 33; Wilson 95% [0.02584, 0.19864] → x 181.37 … 257.4.
        Assert.That(svg, Does.Contain("<rect x=\"170\" y=\"28\" width=\"33\" height=\"14\" fill=\"#4e79a7\"/>"));
        Assert.That(svg, Does.Contain("d=\"M181.37 35H257.4"));
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
        var xs = points.Select(p => double.Parse(p.Split(',')[0], CultureInfo.InvariantCulture)).ToList();
        Assert.That(xs, Is.Ordered.Ascending);
        Assert.That(xs[0], Is.EqualTo(56), "first update at the left margin");
        Assert.That(xs[^1], Is.EqualTo(820 - 16), "last update at the right margin");
    }

    [Test]
    public void A_log_without_rewards_has_no_chart()
    {
        using var dir = new TempDir();
        var path = dir.File("train_log.csv");
        File.WriteAllText(path, "update,reward_mean\n0,\n1,\n");
        Assert.That(RewardChart.Render(TrainLog.Read(path), "reward"), Is.Null);
    }
}
