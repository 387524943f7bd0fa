using System.Text.Json;
using Probe.Core.Safetensors;

namespace Probe.Core.Hub;

/// <summary>
/// A transformers model as <c>model.save_pretrained(dir)</c> and <c>tokenizer.save_pretrained(dir)</c> write it, all
/// at the repo root: <c>config.json</c> (the marker; it must name a <c>model_type</c>, as <c>AutoConfig</c> requires),
/// the fast tokenizer <c>tokenizer.json</c>, the optional <c>generation_config.json</c>, <c>tokenizer_config.json</c>,
/// <c>special_tokens_map.json</c> and <c>chat_template.jinja</c> (newer transformers releases write the chat template
/// there; older ones keep it in tokenizer_config.json), and one set of weights named <c>model</c> chosen by
/// <see cref="WeightFileNames.Candidates"/> (safetensors only; the variant first; a shard index stands for its shards).
/// Slow-tokenizer files, other formats and subfolders (<c>original/</c>, <c>onnx/</c>) are left out.
/// </summary>
public sealed class TransformersModelLayout : IRepoLayout
{
    public const string ConfigFile = "config.json";
    public const string TokenizerFile = "tokenizer.json";

    /// <summary>Read when present; a repo without them still loads (transformers falls back to defaults).</summary>
    public static IReadOnlyList<string> OptionalFiles { get; } =
        ["generation_config.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"];

    static readonly string[] WeightsNames = ["model"];

    /// <summary>
    /// Root files that hold a model's weights in another format, by transformers' names (pytorch_model*.bin,
    /// tf_model.h5, flax_model.msgpack, model*.*); training state such as training_args.bin or optimizer.pt is not.
    /// </summary>
    static readonly string[] OtherWeightsPrefixes = ["pytorch_model", "tf_model", "flax_model", "model."];

    public static TransformersModelLayout Instance { get; } = new();

    TransformersModelLayout()
    {
    }

    public string Name => "transformers model";

    public string Noun => "model";

    public string MarkerFile => ConfigFile;

    public string SaveHint => "save one with model.save_pretrained(dir) and tokenizer.save_pretrained(dir)";

    public string VariantExample(string variant) => $"model.{variant}.safetensors";

    public string NoVariantWeights(string variant) => $"no weights of variant '{variant}' (such as {VariantExample(variant)})";

    public RepoSelection Select(ReadOnlySpan<byte> marker, IReadOnlyCollection<string> files, string? variant, IReadOnlyCollection<string>? components)
    {
        if (components is not null)
            throw new ModelResolutionException(ModelResolutionError.InvalidModel,
                $"components ({string.Join(", ", components)}) are parts of a diffusers pipeline; a transformers model is resolved whole");
        CheckConfig(marker);

        var root = files.Where(f => !f.Contains('/')).ToHashSet(StringComparer.Ordinal);
        var selected = new SortedSet<string>(StringComparer.Ordinal) { ConfigFile };
        var indexes = new List<string>();
        var missing = new List<string>();
        var unreadable = new List<string>();
        if (!root.Contains(ConfigFile)) missing.Add(ConfigFile);
        if (root.Contains(TokenizerFile)) selected.Add(TokenizerFile);
        else missing.Add($"{TokenizerFile} (the fast tokenizer, which tokenizer.save_pretrained(dir) writes)");
        selected.UnionWith(OptionalFiles.Where(root.Contains));

        var weights = WeightFileNames.Candidates(variant, WeightsNames).FirstOrDefault(root.Contains);
        var variantFound = false;
        if (weights is not null)
        {
            selected.Add(weights);
            if (WeightFileNames.IsIndex(weights)) indexes.Add(weights);
            variantFound = variant is not null && weights.Contains($".{variant}.", StringComparison.Ordinal);
        }
        else if (root.Where(IsOtherWeightsFile).Order(StringComparer.Ordinal).ToArray() is { Length: > 0 } otherFormats)
        {
            unreadable.Add($"weights only in {string.Join(", ", otherFormats)}, which Probe does not read (it reads safetensors only, " +
                           "because pickles can run code); convert once with transformers: AutoModel.from_pretrained(repo).save_pretrained(dir), " +
                           "which writes safetensors since transformers 4.35");
        }
        else
        {
            missing.Add("safetensors weights (model.safetensors, or a sharded or variant form)");
        }

        return new RepoSelection(selected.ToArray(), indexes, missing, unreadable, variantFound);
    }

    static bool IsOtherWeightsFile(string name) =>
        WeightFileNames.IsOtherWeightsFormat(name) && OtherWeightsPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>config.json must be an object naming a model_type: a diffusers component's config.json names a _class_name instead.</summary>
    static void CheckConfig(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid("is not a JSON object");
            if (!doc.RootElement.TryGetProperty("model_type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() is not { Length: > 0 })
                throw Invalid(doc.RootElement.TryGetProperty("_class_name", out _)
                    ? "names a '_class_name' and no 'model_type': it configures a diffusers model, not a transformers one"
                    : "has no 'model_type': not a transformers model config");
        }
        catch (JsonException e)
        {
            throw Invalid($"is not valid JSON ({e.Message})");
        }
    }

    static ModelResolutionException Invalid(string problem) => new(ModelResolutionError.InvalidModel, $"{ConfigFile} {problem}");

    public override string ToString() => Name;
}
