using Probe.Core;
namespace Probe.Diffusion.Schedulers;

/// <summary>
/// A scheduler config cannot be read or asks for something the scheduler does not do. The message names the key,
/// the value and what is accepted.
/// </summary>
public sealed class SchedulerConfigException : ProbeException
{
    public SchedulerConfigException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>An unsupported value of <paramref name="key"/> for <paramref name="scheduler"/>.</summary>
    public static SchedulerConfigException Unsupported(string scheduler, string key, object? value, string accepted) =>
        new($"{scheduler}: {key} = {Describe(value)} is not supported; use {accepted}");

    static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };
}
