using Probe.Core;
namespace Probe.Runner.Config;

/// <summary>A run configuration is invalid: names the file, line and key, and what is wrong.</summary>
public sealed class ConfigError(string message) : ProbeException(message);
