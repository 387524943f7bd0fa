
using Probe.Evaluation.Statistics;

namespace Probe.Tests;

/// <summary>The interval, test and agreement statistics against published worked examples.</summary>
public class StatisticsTests
{
    // Newcombe RG (1998a), "Two-sided confidence intervals for the single proportion: comparison of seven methods",
    // Stat Med 17:857-872, Table I, method 3 (Wilson score interval without continuity correction), 95%.
    [TestCase(81, 263, 0.2553, 0.3662)]
    [TestCase(15, 148, 0.0624, 0.1605)]
    [TestCase(0, 20, 0.0000, 0.1611)]
    [TestCase(1, 29, 0.0061, 0.1718)]
    public void Wilson_interval_matches_Newcombe_1998a_table_I(int k, int n, double low, double high)
    {
        var (l, h) = new Proportion(k, n).Wilson();
        Assert.That(l, Is.EqualTo(low).Within(5e-5));
        Assert.That(h, Is.EqualTo(high).Within(5e-5));
    }

    [Test]
    public void Wilson_interval_of_all_successes_ends_at_exactly_one()
    {
        var (l, h) = new Proportion(20, 20).Wilson();
        Assert.That(h, Is.EqualTo(1.0));
        Assert.That(l, Is.EqualTo(1 - 0.1611).Within(5e-5), "mirror image of 0/20");
    }

    // Newcombe RG (1998b), "Interval estimation for the difference between independent proportions: comparison of
    // eleven methods", Stat Med 17:873-890, Table II, method 10 (hybrid score interval from two Wilson intervals), 95%.
    // The paper's difference is p1 − p2; here p1 is "after" and p2 "before".
    [TestCase(56, 70, 48, 80, 0.0524, 0.3339)]
    [TestCase(9, 10, 3, 10, 0.1705, 0.8090)]
    [TestCase(6, 7, 2, 7, 0.0582, 0.8062)]
    [TestCase(5, 56, 0, 29, -0.0381, 0.1926)]
    [TestCase(0, 10, 0, 20, -0.1611, 0.2775)]
    [TestCase(0, 10, 0, 10, -0.2775, 0.2775)]
    [TestCase(10, 10, 0, 20, 0.6791, 1.0000)]
    [TestCase(10, 10, 0, 10, 0.6075, 1.0000)]
    public void Difference_interval_matches_Newcombe_1998b_table_II_method_10(int k1, int n1, int k2, int n2, double low, double high)
    {
        var c = ProportionComparison.Of(before: new Proportion(k2, n2), after: new Proportion(k1, n1));
        Assert.That(c.Difference, Is.EqualTo((double)k1 / n1 - (double)k2 / n2).Within(1e-12));
        Assert.That(c.Low, Is.EqualTo(low).Within(5e-5));
        Assert.That(c.High, Is.EqualTo(high).Within(5e-5));
    }

    [Test]
    public void Z_test_squared_is_Pearsons_chi_square_of_the_two_by_two_table()
    {
        // 56/70 vs 48/80 (Newcombe's example a). Pearson χ² = Σ (O − E)² / E over the four cells, computed here
        // independently; the pooled z-test's z² equals it, and its two-sided p is the χ²(1) tail.
        int a = 56, b = 70 - 56, c = 48, d = 80 - 48;
        double n = a + b + c + d;
        double[] observed = [a, b, c, d];
        double[] expected = [(a + b) * (a + c) / n, (a + b) * (b + d) / n, (c + d) * (a + c) / n, (c + d) * (b + d) / n];
        var chiSquare = observed.Zip(expected, (o, e) => (o - e) * (o - e) / e).Sum();

        var t = ProportionComparison.Of(before: new Proportion(48, 80), after: new Proportion(56, 70));
        Assert.That(t.Z * t.Z, Is.EqualTo(chiSquare).Within(1e-9));
        Assert.That(chiSquare, Is.EqualTo(7.0234).Within(1e-4));
        Assert.That(t.Z, Is.EqualTo(2.6502).Within(1e-4));
        Assert.That(t.PValue, Is.EqualTo(0.00805).Within(1e-5));
        Assert.That(t.PValueIncrease, Is.EqualTo(t.PValue / 2).Within(1e-12), "one-sided p of an increase is half the two-sided");
    }

    [Test]
    public void One_sided_p_of_a_decrease_is_above_one_half()
    {
        var t = ProportionComparison.Of(before: new Proportion(56, 70), after: new Proportion(48, 80));
        Assert.That(t.Z, Is.EqualTo(-2.6502).Within(1e-4));
        Assert.That(t.PValueIncrease, Is.EqualTo(1 - 0.00805 / 2).Within(1e-5));
    }

    [Test]
    public void Identical_all_zero_samples_have_no_evidence_of_a_difference()
    {
        var t = ProportionComparison.Of(new Proportion(0, 50), new Proportion(0, 50));
        Assert.That((t.Z, t.PValue, t.PValueIncrease), Is.EqualTo((0.0, 1.0, 0.5)));
    }

    [Test]
    public void A_proportion_without_trials_cannot_be_compared()
    {
        Assert.Throws<ArgumentException>(() => ProportionComparison.Of(new Proportion(0, 0), new Proportion(1, 10)));
    }

    [Test]
    public void Interval_at_twice_alpha_is_the_one_sided_bound()
    {
        // The one-sided 95% upper bound is the upper end of the two-sided 90% interval, z = 1.6449.
        var c = ProportionComparison.Of(new Proportion(0, 50), new Proportion(0, 50), alpha: 0.10);
        var z2 = 1.6448536269514722 * 1.6448536269514722;
        Assert.That(c.High, Is.EqualTo(z2 / (50 + z2)).Within(1e-12), "Wilson upper end of 0/50, the only term left");
        Assert.That(c.Alpha, Is.EqualTo(0.10));
    }

    [TestCase(0.975, 1.959963984540054)]
    [TestCase(0.95, 1.6448536269514722)]
    [TestCase(0.5, 0.0)]
    [TestCase(0.001, -3.090232306167813)]
    public void Normal_quantile_matches_tables(double p, double z)
    {
        Assert.That(Normal.Quantile(p), Is.EqualTo(z).Within(1e-12));
        Assert.That(Normal.Cdf(z), Is.EqualTo(p).Within(1e-14));
    }

    // Cohen's κ worked examples (Wikipedia "Cohen's kappa": 50 grant proposals read by two readers; and the two
    // tables of "same percentages but different numbers", 100 items each).
    [TestCase(20, 5, 10, 15, 0.4)]
    [TestCase(45, 15, 25, 15, 0.1304)]
    [TestCase(25, 35, 5, 35, 0.2593)]
    public void Kappa_matches_textbook_examples(int tp, int fp, int fn, int tn, double kappa)
    {
        Assert.That(new Agreement(tp, fp, fn, tn).Kappa, Is.EqualTo(kappa).Within(5e-5));
    }

    [Test]
    public void Agreement_counts_the_confusion_matrix_with_the_human_as_reference()
    {
        var a = Agreement.Of([(true, true), (true, true), (true, false), (false, true), (false, false), (false, false), (false, false), (false, false)]);
        Assert.That((a.TruePositive, a.FalsePositive, a.FalseNegative, a.TrueNegative), Is.EqualTo((2, 1, 1, 4)));
        Assert.That(a.Accuracy, Is.EqualTo(0.75));
        Assert.That(a.Precision, Is.EqualTo(2.0 / 3));
        Assert.That(a.Recall, Is.EqualTo(2.0 / 3));
        // p_o = 0.75, p_e = 3/8·3/8 + 5/8·5/8 = 34/64 → κ = (0.75 − 0.53125)/(1 − 0.53125) = 7/15
        Assert.That(a.Kappa, Is.EqualTo(7.0 / 15).Within(1e-12));
    }

    [Test]
    public void Kappa_is_undefined_when_both_raters_use_one_label_only()
    {
        var a = new Agreement(0, 0, 0, 10);
        Assert.That(a.Accuracy, Is.EqualTo(1.0));
        Assert.That(a.Kappa, Is.NaN);
        Assert.That(a.Precision, Is.NaN, "no unsafe decision, no precision");
    }
}
