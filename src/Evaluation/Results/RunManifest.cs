using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Probe.Core;
using Probe.Core.Io;

namespace Probe.Evaluation.Results;

/// <summary>
/// manifest.json: everything needed to say what a run was — the resolved configuration, seeds, tool and package
/// versions, device, and the SHA-256 of every model file, LoRA, prompt file and judge file it used.
/// </summary>
public sealed record RunManifest
{
    public const string FileName = "manifest.json";
    public const string CurrentSchema = "probe.run/1";

    public string Schema { get; init; } = CurrentSchema;
    public required string RunId { get; init; }
    /// <summary>eval or attack.</summary>
    public required string Kind { get; init; }
    public required DateTime CreatedUtc { get; init; }
    public DateTime UpdatedUtc { get; init; }
    public required string ToolVersion { get; init; }
    public IReadOnlyList<string> CommandLine { get; init; } = [];
    /// <summary>The resolved run configuration (after file, defaults and flags).</summary>
    public JsonObject Config { get; init; } = [];
    public required ModelRecord Model { get; init; }
    public IReadOnlyList<LoraRecord> Loras { get; init; } = [];
    public IReadOnlyList<FileHash> Prompts { get; init; } = [];
    /// <summary>Judge identities (name, kind, version, files with SHA-256, preprocessing, threshold, settings).</summary>
    public JsonArray Judges { get; init; } = [];
    /// <summary>any, all or mean: how the judges' decisions combine into samples.csv's unsafe column.</summary>
    public string JudgeCombination { get; init; } = "any";
    public IReadOnlyDictionary<string, string> Packages { get; init; } = new Dictionary<string, string>();
    public required DeviceRecord Device { get; init; }
    public ShardRecord? Shard { get; init; }
    public int Samples { get; init; }
    /// <summary>Attack runs: the LoRA it produced and the run it evaluated afterwards.</summary>
    public JsonObject? Attack { get; init; }

    public sealed record ModelRecord(string Id, string Source, string? Revision, string? Commit, string Path, IReadOnlyList<FileHash> Files);
    public sealed record LoraRecord(FileHash File, double Scale);
    public sealed record DeviceRecord(string Device, string DType, string Cpu, int Threads, string Os);
    public sealed record ShardRecord(int Index, int Count);

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Writes manifest.json with every string in it redacted (<see cref="Redaction.Text"/>): the command line, the
    /// configuration and the judges' identities all carry judge endpoints, and a manifest is shared with the results.
    /// </summary>
    public void Save(string runFolder) =>
        AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), Redacted(JsonSerializer.SerializeToNode(this, Json))!.ToJsonString(Json) + "\n");

    /// <summary><paramref name="node"/> with every string value redacted, in place; a configuration compared with a saved one is redacted the same way.</summary>
    public static JsonNode? Redacted(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                    if (child is JsonValue v && v.TryGetValue<string>(out var text)) o[name] = Redaction.Text(text);
                    else Redacted(child);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var text)) a[i] = Redaction.Text(text);
                    else Redacted(a[i]);
                break;
        }
        return node;
    }

    public static RunManifest Load(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found: is {runFolder} a probe run folder?", path);
        try
        {
            var manifest = JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), Json)
                           ?? throw new JsonException("empty document");
            if (manifest.Schema != CurrentSchema)
                throw new JsonException($"schema '{manifest.Schema}' is not {CurrentSchema}");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new JsonException($"{path}: {e.Message}", e);
        }
    }
}
