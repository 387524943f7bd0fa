namespace Probe.Diffusion.Schedulers;

/// <summary>
/// The few numpy (1.24) routines diffusers builds its timestep and sigma schedules with, reproduced to the bit in
/// float64, because schedules must match diffusers exactly (integer timesteps are compared exactly, and numpy's own
/// rounding and length rules leak into them).
/// </summary>
internal static class NumpyCompat
{
    /// <summary>
    /// <c>np.arange(start, stop, step)</c> for floats: length <c>ceil((stop - start) / step)</c>, then
    /// <c>start + i * delta</c> with <c>delta = (start + step) - start</c>, exactly as numpy's DOUBLE_fill does.
    /// The length rule is why <c>np.arange(1000, 0, -1000/61)</c> has 62 elements.
    /// </summary>
    public static double[] Arange(double start, double stop, double step)
    {
        var length = (long)Math.Ceiling((stop - start) / step);
        if (length <= 0) return [];
        var values = new double[length];
        values[0] = start;
        if (length == 1) return values;
        var delta = (start + step) - start;
        values[1] = start + delta;
        for (var i = 2; i < length; i++) values[i] = start + i * delta;
        return values;
    }

    /// <summary>
    /// <c>np.linspace(start, stop, num)</c> (endpoint included): <c>i * step + start</c> with
    /// <c>step = (stop - start) / (num - 1)</c>, the last element set to <c>stop</c> exactly.
    /// </summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        if (num <= 0) return [];
        var values = new double[num];
        if (num == 1)
        {
            values[0] = start;
            return values;
        }
        var step = (stop - start) / (num - 1);
        for (var i = 0; i < num; i++) values[i] = i * step + start;
        values[^1] = stop;
        return values;
    }

    /// <summary><c>np.round</c>: halves go to the even neighbour (499.5 → 500, 832.5 → 832).</summary>
    public static double Round(double x) => Math.Round(x, MidpointRounding.ToEven);

    /// <summary>
    /// <c>np.interp(x, arange(len(fp)), fp)</c>: linear interpolation on the integer grid 0..n-1, clamped to the end
    /// values outside it, with numpy's rules (exact grid points return the table value; slope · (x - xp[j]) + fp[j]).
    /// </summary>
    public static double InterpOnIndexGrid(double x, IReadOnlyList<float> fp)
    {
        var last = fp.Count - 1;
        if (double.IsNaN(x)) return double.NaN;
        if (x <= 0) return fp[0];
        if (x >= last) return fp[last];
        var j = (int)Math.Floor(x);
        if (j == x) return fp[j];
        double lo = fp[j], hi = fp[j + 1];
        var slope = (hi - lo) / ((j + 1) - (double)j);
        var result = slope * (x - j) + lo;
        // numpy retries from the right end when the left form overflows to NaN (infinite table values).
        return double.IsNaN(result) ? slope * (x - (j + 1)) + hi : result;
    }
}
