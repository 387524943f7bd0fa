

using Probe.Runner.Cli;

namespace Probe.Tests;

/// <summary>Runs the probe command line in-process and captures what it prints.</summary>
public static class CliRun
{
    public static async Task<(int Code, string Out, string Err)> Probe(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await ProbeApp.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Sets environment variables for the duration of a test and restores them on dispose.</summary>
    public sealed class Environment : IDisposable
    {
        readonly Dictionary<string, string?> _saved = new();

        public Environment Set(string name, string? value)
        {
            if (!_saved.ContainsKey(name)) _saved[name] = System.Environment.GetEnvironmentVariable(name);
            System.Environment.SetEnvironmentVariable(name, value);
            return this;
        }

        public void Dispose()
        {
            foreach (var (name, value) in _saved) System.Environment.SetEnvironmentVariable(name, value);
        }
    }
}
