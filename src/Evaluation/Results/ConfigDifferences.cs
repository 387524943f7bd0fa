using System.Text.Json.Nodes;

namespace Probe.Evaluation.Results;

/// <summary>How two runs' resolved configurations differ, for resume and merge checks.</summary>
public static class ConfigDifferences
{
    /// <summary>Keys of the resolved config that may change between a run and its resumption without changing results.</summary>
    static readonly string[] Volatile = ["batch_size", "device"];

    /// <summary>"key: a → b" for every key whose value differs, ignoring those that cannot change results.</summary>
    public static IReadOnlyList<string> Between(JsonObject a, JsonObject b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var keys = a.Select(p => p.Key).Union(b.Select(p => p.Key)).Except(Volatile).Order(StringComparer.Ordinal);
        return keys.Where(k => !JsonNode.DeepEquals(a[k], b[k]))
            .Select(k => $"{k}: {a[k]?.ToJsonString() ?? "null"} → {b[k]?.ToJsonString() ?? "null"}").ToList();
    }
}
