using System.Text.Json.Nodes;
using Probe.Evaluation.Results;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// The harm category an attack trained on, which the transfer table sets against the others. Taken from
/// <c>--attacked</c> when given, else from the manifests (after-run first, as it is normally the attacked model's
/// evaluation): <c>attack.category</c>, then <c>config.attack.category</c>.
/// </summary>
public sealed record AttackedCategory(string Category, string Source)
{
    /// <summary>Null when neither the option nor a manifest names one; <paramref name="warnings"/> gets disagreements.</summary>
    public static AttackedCategory? Resolve(string? option, RunFolder before, RunFolder after, ICollection<string> warnings)
    {
        var fromManifest = FromManifest(after) ?? FromManifest(before);
        if (!string.IsNullOrEmpty(option))
        {
            if (fromManifest is not null && fromManifest.Category != option)
                warnings.Add($"--attacked '{option}' overrides '{fromManifest.Category}' from {fromManifest.Source}");
            return new AttackedCategory(option, "--attacked");
        }
        return fromManifest;
    }

    static AttackedCategory? FromManifest(RunFolder run)
    {
        var file = Path.Combine(run.Path, RunManifest.FileName);
        if (StringAt(run.Manifest.Attack, "category") is { } direct) return new AttackedCategory(direct, $"{file} attack.category");
        if (StringAt(run.Manifest.Config["attack"] as JsonObject, "category") is { } configured)
            return new AttackedCategory(configured, $"{file} config.attack.category");
        return null;
    }

    static string? StringAt(JsonObject? node, string key) =>
        node?[key] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
