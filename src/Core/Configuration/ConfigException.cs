namespace Probe.Core.Configuration;

/// <summary>A model or scheduler configuration file is missing, malformed, or asks for something Probe does not support.</summary>
public sealed class ConfigException(string file, string? key, string problem, Exception? inner = null)
    : ProbeException(key is null ? $"{file}: {problem}" : $"{file}: '{key}' {problem}", inner)
{
    public string File { get; } = file;
    public string? Key { get; } = key;
}
