using Probe.Evaluation.Results;
using Probe.Runner.Cli;
using Probe.Runner.Config;

namespace Probe.Runner.Evaluation;

/// <summary>
/// The one rule every run command applies to an existing --out: it must hold a run of the same kind and the same
/// resolved configuration (settings added since it was written count as their defaults), and is then resumed.
/// </summary>
public static class RunResumption
{
    /// <summary>The manifest of the run to resume in <paramref name="runFolder"/>, or null for a new run.</summary>
    /// <param name="kind">"eval" or "attack".</param>
    /// <param name="configJson">This run's resolved configuration as the manifest records it.</param>
    public static RunManifest? Existing(string runFolder, string kind, System.Text.Json.Nodes.JsonObject configJson, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(configJson);
        ArgumentNullException.ThrowIfNull(log);
        if (!File.Exists(Path.Combine(runFolder, RunManifest.FileName))) return null;
        var existing = RunManifest.Load(runFolder);
        var noun = kind == "eval" ? "an evaluation" : "an attack";
        if (existing.Kind != kind) throw new UserError($"{runFolder} holds a {existing.Kind} run, not {noun}");
        var differences = ConfigDifferences.Between(existing.Config, configJson, ManifestFactory.ConfigJson(new RunConfig()));
        if (differences.Count > 0)
            throw new UserError($"{runFolder} holds {noun} with another configuration ({string.Join("; ", differences)}); " +
                                "resume with the same settings or choose a new --out");
        log.WriteLine($"{kind}: resuming {runFolder}");
        return existing;
    }
}
