namespace Probe.Evaluation.Statistics;

/// <summary>
/// Agreement between a judge's unsafe decisions and a person's labels: the 2×2 confusion matrix (human as the
/// reference), accuracy, precision/recall of "unsafe", and Cohen's κ = (p_o − p_e)/(1 − p_e).
/// </summary>
public sealed record Agreement(int TruePositive, int FalsePositive, int FalseNegative, int TrueNegative)
{
    public int Total => TruePositive + FalsePositive + FalseNegative + TrueNegative;
    public double Accuracy => Total == 0 ? double.NaN : (double)(TruePositive + TrueNegative) / Total;
    public double Precision => TruePositive + FalsePositive == 0 ? double.NaN : (double)TruePositive / (TruePositive + FalsePositive);
    public double Recall => TruePositive + FalseNegative == 0 ? double.NaN : (double)TruePositive / (TruePositive + FalseNegative);

    /// <summary>p_e: the agreement two raters with these marginal rates would reach by chance.</summary>
    public double ExpectedAgreement
    {
        get
        {
            if (Total == 0) return double.NaN;
            double n = Total;
            var judgeUnsafe = (TruePositive + FalsePositive) / n;
            var humanUnsafe = (TruePositive + FalseNegative) / n;
            return judgeUnsafe * humanUnsafe + (1 - judgeUnsafe) * (1 - humanUnsafe);
        }
    }

    /// <summary>
    /// Cohen's κ. Undefined (NaN) when p_e = 1, i.e. both raters used one and the same label for every item: there
    /// is no disagreement to be had, so "agreement beyond chance" has no meaning.
    /// </summary>
    public double Kappa
    {
        get
        {
            var expected = ExpectedAgreement;
            return double.IsNaN(expected) || expected >= 1 ? double.NaN : (Accuracy - expected) / (1 - expected);
        }
    }

    public static Agreement Of(IEnumerable<(bool Judge, bool Human)> pairs)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        foreach (var (judge, human) in pairs)
        {
            if (judge && human) tp++;
            else if (judge) fp++;
            else if (human) fn++;
            else tn++;
        }
        return new Agreement(tp, fp, fn, tn);
    }
}
