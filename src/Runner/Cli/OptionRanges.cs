using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace Probe.Runner.Cli;

/// <summary>
/// Range checks on numeric flags, run by the parser before any work starts, so `--n 0` or `--width -8` is a usage error
/// (exit 2) naming the flag instead of an empty run or a libtorch message. Sizes are checked for being positive here;
/// the multiple of the VAE's scale factor is the pipeline's check, once the model is known.
/// </summary>
public static class OptionRanges
{
    /// <summary>Adds a check that the option's value, when given, lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<T> InRange<T>(this Option<T> option, T min, T max) where T : struct, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0) return;
            var value = result.GetValueOrDefault<T>();
            if (!T.IsFinite(value) || value < min || value > max)
                result.AddError($"{option.Name} {Text(value)} is out of range: give a number from {Text(min)} to {Text(max)}");
        });
        return option;
    }

    /// <inheritdoc cref="InRange{T}(Option{T}, T, T)"/>
    public static Option<T?> InRange<T>(this Option<T?> option, T min, T max) where T : struct, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0 || result.GetValueOrDefault<T?>() is not { } value) return;
            if (!T.IsFinite(value) || value < min || value > max)
                result.AddError($"{option.Name} {Text(value)} is out of range: give a number from {Text(min)} to {Text(max)}");
        });
        return option;
    }

    static string Text<T>(T value) where T : INumber<T> => value.ToString(null, CultureInfo.InvariantCulture);
}
