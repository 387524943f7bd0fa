using System.Text.Json;
using Probe.Core.Safetensors;

namespace Probe.Core.Hub;

/// <summary>
/// Chooses the files of a diffusers pipeline from a file listing, the way loading will use them: model_index.json
/// names the components; each component folder contributes its JSON, TXT and SentencePiece files (configs,
/// tokenizer, scheduler) and one set of weights chosen by <see cref="WeightFileNames.Candidates"/> (safetensors
/// only; the variant first; a shard index stands for its shards). A folder with <c>config.json</c> is a model and
/// must have weights; scheduler, tokenizer and feature-extractor folders have none.
/// </summary>
public static class PipelineFileSelector
{
    public const string ModelIndexFile = "model_index.json";

    static readonly string[] ConfigExtensions = [".json", ".txt", ".model"];

    /// <summary>
    /// Selects from <paramref name="files"/> (paths relative to the pipeline root, '/'-separated) by the components
    /// <paramref name="modelIndexJson"/> lists, or only <paramref name="components"/> when given.
    /// </summary>
    /// <exception cref="ModelResolutionException">model_index.json is malformed or lacks a requested component.</exception>
    public static RepoSelection Select(ReadOnlySpan<byte> modelIndexJson, IReadOnlyCollection<string> files, string? variant,
                                           IReadOnlyCollection<string>? components = null)
    {
        var listed = ReadComponents(modelIndexJson);
        if (components is not null)
        {
            var unknown = components.Where(c => !listed.Contains(c, StringComparer.Ordinal)).ToArray();
            if (unknown.Length > 0)
                throw new ModelResolutionException(ModelResolutionError.InvalidModel,
                    $"{ModelIndexFile} lists no component {string.Join(", ", unknown.Select(u => $"'{u}'"))} (it lists: {string.Join(", ", listed)})");
        }

        var candidates = WeightFileNames.Candidates(variant);
        var selected = new SortedSet<string>(StringComparer.Ordinal) { ModelIndexFile };
        var indexes = new List<string>();
        var missing = new List<string>();
        var unreadable = new List<string>();
        var variantFound = false;
        if (!files.Contains(ModelIndexFile)) missing.Add(ModelIndexFile);

        foreach (var component in components is null ? listed : listed.Where(components.Contains))
        {
            var prefix = component + "/";
            var inFolder = files.Where(f => f.StartsWith(prefix, StringComparison.Ordinal) && f.IndexOf('/', prefix.Length) < 0)
                .Select(f => f[prefix.Length..]).ToHashSet(StringComparer.Ordinal);
            if (inFolder.Count == 0)
            {
                missing.Add($"{prefix} (the whole component folder)");
                continue;
            }

            var configs = inFolder.Where(IsConfigFile).ToArray();
            selected.UnionWith(configs.Select(f => prefix + f));

            var weights = candidates.FirstOrDefault(inFolder.Contains);
            var otherFormats = inFolder.Where(WeightFileNames.IsOtherWeightsFormat).Order(StringComparer.Ordinal).ToArray();
            var isModel = inFolder.Contains("config.json") || weights is not null || otherFormats.Length > 0;
            if (isModel && !inFolder.Contains("config.json"))
                missing.Add(prefix + "config.json");
            if (!isModel && configs.Length == 0)
                missing.Add($"{prefix} (a config, tokenizer or scheduler file)");

            if (weights is not null)
            {
                selected.Add(prefix + weights);
                if (WeightFileNames.IsIndex(weights)) indexes.Add(prefix + weights);
                if (variant is not null && weights.Contains($".{variant}.", StringComparison.Ordinal)) variantFound = true;
            }
            else if (otherFormats.Length > 0)
            {
                unreadable.Add($"{prefix}: only {string.Join(", ", otherFormats)}, which Probe does not read (it reads safetensors only, " +
                               "because pickles can run code); convert once with diffusers: pipe.save_pretrained(dir, safe_serialization=True)");
            }
            else if (isModel)
            {
                missing.Add($"{prefix} safetensors weights ({string.Join(" or ", WeightFileNames.DefaultNames.Select(n => n + ".safetensors"))}, " +
                            "or a sharded or variant form)");
            }
        }

        return new RepoSelection(selected.ToArray(), indexes, missing, unreadable, variantFound);
    }

    /// <summary>The shards a shard index names, as paths beside the index, sorted.</summary>
    /// <exception cref="ModelResolutionException">The index is malformed or names a path outside its folder.</exception>
    public static IReadOnlyList<string> ShardsOf(string indexPath, ReadOnlySpan<byte> indexJson)
    {
        var folder = indexPath.LastIndexOf('/') is var slash and >= 0 ? indexPath[..(slash + 1)] : "";
        var shards = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(indexJson, new JsonReaderOptions { MaxDepth = 16 });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw Invalid(indexPath, "has no 'weight_map' object");
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String || entry.Value.GetString() is not { Length: > 0 } shard ||
                    shard.Contains('/') || shard.Contains('\\') || shard is "." or "..")
                    throw Invalid(indexPath, $"maps tensor '{entry.Name}' to something that is not a file name beside the index");
                shards.Add(folder + shard);
            }
        }
        catch (JsonException e)
        {
            throw Invalid(indexPath, $"is not valid JSON ({e.Message})");
        }
        return shards.ToArray();
    }

    static bool IsConfigFile(string name) =>
        ConfigExtensions.Any(e => name.EndsWith(e, StringComparison.Ordinal)) && !WeightFileNames.IsAnyIndex(name);

    /// <summary>The component names model_index.json lists with a [library, class] pair, in file order.</summary>
    static List<string> ReadComponents(ReadOnlySpan<byte> json)
    {
        var components = new List<string>();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid(ModelIndexFile, "is not a JSON object");
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name.StartsWith('_') || property.Value.ValueKind != JsonValueKind.Array ||
                    property.Value.GetArrayLength() != 2 || property.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                    continue; // metadata (_class_name), flags (requires_safety_checker) and absent parts ([null, null])
                if (property.Name.Length == 0 || property.Name.Contains('/') || property.Name.Contains('\\') || property.Name is "." or "..")
                    throw Invalid(ModelIndexFile, $"names component '{property.Name}', which is not a folder name");
                components.Add(property.Name);
            }
        }
        catch (JsonException e)
        {
            throw Invalid(ModelIndexFile, $"is not valid JSON ({e.Message})");
        }
        if (components.Count == 0)
            throw Invalid(ModelIndexFile, "lists no components: not a diffusers pipeline");
        return components;
    }

    static ModelResolutionException Invalid(string file, string problem) =>
        new(ModelResolutionError.InvalidModel, $"{file} {problem}");
}
