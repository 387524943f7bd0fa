
namespace Probe.Grpo;

/// <summary>Small statistics helpers computed in float64.</summary>
public static class Statistics
{
    /// <summary>Mean and population standard deviation (numpy's np.mean, np.std with ddof 0).</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("no values");
        var mean = values.Sum() / values.Count;
        var variance = values.Sum(v => (v - mean) * (v - mean)) / values.Count;
        return (mean, Math.Sqrt(variance));
    }
}
