namespace Probe.Tests.Grpo;

/// <summary>One-sided paired t-test (H1: mean difference &gt; 0) with the Student-t tail from the regularised incomplete beta function.</summary>
internal static class PairedTTest
{
    public static (double T, double P) OneSided(IReadOnlyList<double> differences)
    {
        var n = differences.Count;
        var mean = differences.Average();
        var sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1));
        var t = mean / (sd / Math.Sqrt(n));
        double df = n - 1;
        // P(T > t) = ½ I_{df/(df+t²)}(df/2, ½) for t > 0.
        var tail = 0.5 * IncompleteBeta(df / 2, 0.5, df / (df + t * t));
        return (t, t > 0 ? tail : 1 - tail);
    }

    /// <summary>Regularised incomplete beta I_x(a, b) by its continued fraction (Numerical Recipes' betacf).</summary>
    static double IncompleteBeta(double a, double b, double x)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        if (x > (a + 1) / (a + b + 2)) return 1 - IncompleteBeta(b, a, 1 - x);
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < 1e-300 ? 1e-300 : d);
        var h = d;
        for (var m = 1; m <= 300; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + aa * d; d = 1 / (Math.Abs(d) < 1e-300 ? 1e-300 : d);
            c = 1 + aa / c; if (Math.Abs(c) < 1e-300) c = 1e-300;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + aa * d; d = 1 / (Math.Abs(d) < 1e-300 ? 1e-300 : d);
            c = 1 + aa / c; if (Math.Abs(c) < 1e-300) c = 1e-300;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-12) break;
        }
        return front * h / a;
    }

    /// <summary>Lanczos approximation of ln Γ(x).</summary>
    static double LogGamma(double x)
    {
        double[] g = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
        var y = x;
        var tmp = x + 5.5;
        tmp -= (x + 0.5) * Math.Log(tmp);
        var ser = 1.000000000190015;
        foreach (var c in g) ser += c / ++y;
        return -tmp + Math.Log(2.5066282746310005 * ser / x);
    }
}
