using System.Text.Json.Nodes;

namespace Probe.Evaluation.Results;

/// <summary>How two runs' resolved configurations differ, for resume and merge checks.</summary>
public static class ConfigDifferences
{
    /// <summary>Keys of the resolved config that may change between a run and its resumption without changing results.</summary>
    static readonly string[] Volatile = ["batch_size", "device"];

    /// <summary>
    /// "key: a → b" for every key whose value differs, ignoring those that cannot change results. A key one side lacks
    /// (a run folder written before the key existed) counts as its value in <paramref name="defaults"/>, so adding a
    /// setting does not make every older run folder unresumable.
    /// </summary>
    public static IReadOnlyList<string> Between(JsonObject a, JsonObject b, JsonObject? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        JsonNode? Value(JsonObject o, string k) => o.ContainsKey(k) ? o[k] : defaults?[k];
        var keys = a.Select(p => p.Key).Union(b.Select(p => p.Key)).Except(Volatile).Order(StringComparer.Ordinal);
        return keys.Where(k => !JsonNode.DeepEquals(Value(a, k), Value(b, k)))
            .Select(k => $"{k}: {Value(a, k)?.ToJsonString() ?? "null"} → {Value(b, k)?.ToJsonString() ?? "null"}").ToList();
    }
}
