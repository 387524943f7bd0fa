using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Core.Io;
using Probe.Core.Lora;
using Probe.Core.Safetensors;
using static TorchSharp.torch;

namespace Probe.Llm.Lora;

/// <summary>
/// A chat model's LoRA in peft's own folder layout (what <c>PeftModel.save_pretrained</c> writes and
/// <c>PeftModel.from_pretrained</c> / transformers' <c>load_adapter</c> read, peft 0.13):
/// <code>
/// adapter_config.json          {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r", "lora_alpha", "target_modules", …}
/// adapter_model.safetensors    base_model.model.&lt;module path&gt;.lora_A.weight [r, in]
///                              base_model.model.&lt;module path&gt;.lora_B.weight [out, r]
/// </code>
/// Module paths are the transformers module names (<c>model.layers.0.self_attn.q_proj</c>). target_modules lists the
/// full paths, which peft matches exactly, so a partial adapter loads onto the same modules only. Variants Probe
/// does not compute (DoRA, rsLoRA, trained biases, modules_to_save, fan_in_fan_out) are refused on reading.
/// </summary>
public static class PeftAdapterFile
{
    public const string ConfigName = "adapter_config.json";
    public const string WeightsName = "adapter_model.safetensors";

    /// <summary>The prefix peft's LoraModel puts before every module name (PeftModel.base_model.model).</summary>
    public const string KeyPrefix = "base_model.model.";

    /// <summary>Writes <paramref name="adapter"/> into <paramref name="folder"/> (both files atomically).</summary>
    /// <param name="baseModel">Recorded as base_model_name_or_path (a hub id or folder), so peft can find the base.</param>
    public static void Save(LoraAdapter adapter, string folder, string? baseModel)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(folder);
        var modules = adapter.Export();
        try
        {
            Write(folder, modules, adapter.Dropout, baseModel);
        }
        finally
        {
            foreach (var m in modules)
            {
                m.A.Dispose();
                m.B.Dispose();
            }
        }
    }

    public static void Write(string folder, IReadOnlyList<LoraModuleWeights> modules, double dropout, string? baseModel)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var summary = LoraConfigSummary.Of(modules);
        Directory.CreateDirectory(folder);
        using (var scope = NewDisposeScope())
        {
            var tensors = modules.SelectMany(m => new[]
            {
                new KeyValuePair<string, Tensor>($"{KeyPrefix}{m.ModulePath}.lora_A.weight", m.A.detach().to(ScalarType.Float32).cpu()),
                new KeyValuePair<string, Tensor>($"{KeyPrefix}{m.ModulePath}.lora_B.weight", m.B.detach().to(ScalarType.Float32).cpu()),
            }).ToList();
            SafetensorsWriter.Write(Path.Combine(folder, WeightsName), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        }
        AtomicFile.WriteAllText(Path.Combine(folder, ConfigName), Config(summary, dropout, baseModel).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    static JsonObject Config(LoraConfigSummary summary, double dropout, string? baseModel)
    {
        var rankPattern = new JsonObject();
        foreach (var (path, r) in summary.RankPattern) rankPattern[path] = r;
        var alphaPattern = new JsonObject();
        foreach (var (path, a) in summary.AlphaPattern) alphaPattern[path] = Number(a);
        return new JsonObject
        {
            ["alpha_pattern"] = alphaPattern,
            ["auto_mapping"] = null,
            ["base_model_name_or_path"] = baseModel,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["layers_pattern"] = null,
            ["layers_to_transform"] = null,
            ["lora_alpha"] = Number(summary.Alpha),
            ["lora_dropout"] = dropout,
            ["modules_to_save"] = null,
            ["peft_type"] = "LORA",
            ["r"] = summary.Rank,
            ["rank_pattern"] = rankPattern,
            ["revision"] = null,
            ["target_modules"] = new JsonArray(summary.ModulePaths.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
            ["task_type"] = "CAUSAL_LM",
            ["use_dora"] = false,
            ["use_rslora"] = false,
        };
    }

    /// <summary>peft types lora_alpha as int; an integral alpha is written as one.</summary>
    static JsonNode Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < int.MaxValue ? JsonValue.Create((int)value) : JsonValue.Create(value);

    /// <summary>
    /// Reads a peft LoRA folder (or its adapter_model.safetensors) onto the modules in <paramref name="modulePaths"/>:
    /// every tensor must name one of them; alpha per module from rank_pattern / alpha_pattern, then lora_alpha.
    /// </summary>
    public static (IReadOnlyList<LoraModuleWeights> Modules, double Dropout) Read(string path, IReadOnlyCollection<string> modulePaths)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(modulePaths);
        var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        var weights = Directory.Exists(path) ? Path.Combine(path, WeightsName) : path;
        var configPath = Path.Combine(folder, ConfigName);
        if (!File.Exists(configPath)) throw new LoraFormatException(configPath, "missing: a peft adapter folder holds adapter_config.json beside adapter_model.safetensors");
        if (!File.Exists(weights)) throw new LoraFormatException(weights, "missing: a peft adapter folder holds adapter_model.safetensors (adapter_model.bin, a pickle, is never read)");
        var config = ReadConfig(configPath);

        using var file = SafetensorsFile.Open(weights);
        var known = modulePaths.ToHashSet(StringComparer.Ordinal);
        var a = new Dictionary<string, string>(StringComparer.Ordinal);
        var b = new Dictionary<string, string>(StringComparer.Ordinal);
        var unplaced = new List<string>();
        foreach (var name in file.Tensors.Keys)
        {
            var module = ModuleOf(name, ".lora_A.weight") ?? ModuleOf(name, ".lora_B.weight");
            if (module is null || !known.Contains(module)) { unplaced.Add(name); continue; }
            (name.EndsWith(".lora_A.weight", StringComparison.Ordinal) ? a : b)[module] = name;
        }
        if (unplaced.Count > 0)
            throw new LoraFormatException(weights, $"{unplaced.Count} tensor(s) name no module of this model, e.g. '{unplaced[0]}' " +
                                                   $"(expected {KeyPrefix}<module>.lora_A.weight / .lora_B.weight for modules such as '{modulePaths.FirstOrDefault()}')");
        var half = a.Keys.Except(b.Keys).Concat(b.Keys.Except(a.Keys)).FirstOrDefault();
        if (half is not null) throw new LoraFormatException(weights, $"module '{half}' has only one of lora_A and lora_B");
        if (a.Count == 0) throw new LoraFormatException(weights, "no LoRA tensors");

        var modules = new List<LoraModuleWeights>();
        using var scope = NewDisposeScope();
        foreach (var module in a.Keys.Order(StringComparer.Ordinal))
        {
            var down = file.Load(a[module]).to(ScalarType.Float32);
            var up = file.Load(b[module]).to(ScalarType.Float32);
            if (down.dim() != 2 || up.dim() != 2 || up.shape[1] != down.shape[0])
                throw new LoraFormatException(weights, $"module '{module}': lora_A {Shape(down)} and lora_B {Shape(up)} are not [r, in] and [out, r]");
            var rank = (int)down.shape[0];
            var expectedRank = LoraConfigSummary.Match(config.RankPattern, module) ?? config.Rank;
            if (rank != expectedRank)
                throw new LoraFormatException(weights, $"module '{module}' has rank {rank} where adapter_config.json gives {expectedRank}");
            var alpha = LoraConfigSummary.Match(config.AlphaPattern, module) ?? config.Alpha;
            modules.Add(new LoraModuleWeights(module, down.MoveToOuterDisposeScope(), up.MoveToOuterDisposeScope(), alpha));
        }
        return (modules, config.Dropout);
    }

    static string? ModuleOf(string key, string suffix) =>
        key.StartsWith(KeyPrefix, StringComparison.Ordinal) && key.EndsWith(suffix, StringComparison.Ordinal)
            ? key[KeyPrefix.Length..^suffix.Length]
            : null;

    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    sealed record PeftConfig(int Rank, double Alpha, double Dropout, IReadOnlyDictionary<string, int> RankPattern, IReadOnlyDictionary<string, double> AlphaPattern);

    static PeftConfig ReadConfig(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new LoraFormatException(path, $"not valid JSON ({e.Message})");
        }
        if (root is not JsonObject config) throw new LoraFormatException(path, "not a JSON object");
        var type = config["peft_type"]?.GetValue<string>();
        if (type != "LORA") throw new LoraFormatException(path, $"peft_type is '{type ?? "(missing)"}'; Probe reads LORA adapters only");
        foreach (var flag in new[] { "use_dora", "use_rslora", "fan_in_fan_out" })
            if (config[flag] is JsonValue v && v.TryGetValue<bool>(out var on) && on)
                throw new LoraFormatException(path, $"{flag} is true; Probe computes plain LoRA (W + (alpha/r)·B·A) only");
        if (config["bias"]?.GetValue<string>() is { } bias && bias != "none")
            throw new LoraFormatException(path, $"bias is '{bias}'; Probe's adapters train no biases");
        if (config["modules_to_save"] is JsonArray { Count: > 0 })
            throw new LoraFormatException(path, "modules_to_save is set; fully trained modules beside the LoRA are not supported");
        var rank = Int(config, "r", path);
        var alpha = Double(config["lora_alpha"], "lora_alpha", path) ?? rank;
        var dropout = Double(config["lora_dropout"], "lora_dropout", path) ?? 0;
        var rankPattern = (config["rank_pattern"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => (int)(Double(kv.Value, $"rank_pattern.{kv.Key}", path) ?? rank), StringComparer.Ordinal);
        var alphaPattern = (config["alpha_pattern"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => Double(kv.Value, $"alpha_pattern.{kv.Key}", path) ?? alpha, StringComparer.Ordinal);
        return new PeftConfig(rank, alpha, dropout, rankPattern, alphaPattern);
    }

    static int Int(JsonObject config, string key, string path) =>
        Double(config[key], key, path) is { } v && v == Math.Floor(v) && v >= 1 && v <= 65536 ? (int)v
            : throw new LoraFormatException(path, $"'{key}' must be a whole number ≥ 1");

    static double? Double(JsonNode? node, string key, string path)
    {
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d)) return d;
        throw new LoraFormatException(path, $"'{key}' is {node.ToJsonString()}, not a number");
    }
}
