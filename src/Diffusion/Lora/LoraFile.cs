using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Core.Lora;
using Probe.Core.Safetensors;
using static TorchSharp.torch;

namespace Probe.Diffusion.Lora;

/// <summary>
/// Reads and writes UNet LoRA files. Writing produces diffusers' own layout (what <c>save_lora_weights</c> writes and
/// <c>pipe.load_lora_weights()</c> reads):
/// <code>
/// unet.&lt;module path&gt;.lora_A.weight   [r, in]  (or [r, in, 1, 1] for a 1×1 conv)
/// unet.&lt;module path&gt;.lora_B.weight   [out, r] (or [out, r, 1, 1])
/// __metadata__: {"format": "pt", "lora_adapter_metadata": "{\"unet.r\": 4, \"unet.lora_alpha\": 4, \"unet.target_modules\": [...], ...}"}
/// </code>
/// diffusers (≥ 0.34) builds peft's <c>LoraConfig</c> straight from <c>lora_adapter_metadata</c> (keys prefixed with the
/// component, here <c>unet.</c>), which is how alpha ≠ rank travels; older diffusers ignore the metadata and assume
/// alpha = rank. Reading accepts that layout, the older diffusers layouts and kohya's (<see cref="LoraLayout"/>),
/// resolves every key to a UNet module, and throws one <see cref="LoraFormatException"/> listing every key it cannot place.
/// </summary>
public static class LoraFile
{
    /// <summary>The file name diffusers saves and looks for.</summary>
    public const string WeightName = "pytorch_lora_weights.safetensors";

    /// <summary>The safetensors metadata key diffusers stores the adapter's LoraConfig under (diffusers' LORA_ADAPTER_METADATA_KEY).</summary>
    public const string AdapterMetadataKey = "lora_adapter_metadata";

    /// <summary><paramref name="path"/> itself, or <see cref="WeightName"/> inside it when it is a folder.</summary>
    public static string ResolvePath(string path) =>
        Directory.Exists(path) ? Path.Combine(path, WeightName) : path;

    /// <summary>
    /// Writes <paramref name="modules"/> in diffusers' layout with the LoraConfig metadata diffusers reads. The most
    /// common rank and alpha become <c>r</c> and <c>lora_alpha</c>; modules that differ go to <c>rank_pattern</c> and
    /// <c>alpha_pattern</c> by full path, as peft matches them. Atomic (temp file + rename).
    /// </summary>
    public static void Write(string path, IReadOnlyList<LoraModuleWeights> modules, double dropout = 0)
    {
        ArgumentNullException.ThrowIfNull(modules);
        if (modules.Count == 0) throw new ArgumentException("no LoRA modules to write", nameof(modules));
        path = ResolvePath(path);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        using var scope = NewDisposeScope();
        foreach (var m in modules.OrderBy(m => m.ModulePath, StringComparer.Ordinal))
        {
            tensors.Add(new($"unet.{m.ModulePath}.lora_A.weight", m.A.detach().to(ScalarType.Float32).cpu()));
            tensors.Add(new($"unet.{m.ModulePath}.lora_B.weight", m.B.detach().to(ScalarType.Float32).cpu()));
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            [AdapterMetadataKey] = AdapterMetadata(modules, dropout),
        };
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>Writes <paramref name="adapter"/> as a diffusers LoRA file (<see cref="Write"/>); a folder gets <see cref="WeightName"/>.</summary>
    public static void Save(LoraAdapter adapter, string path)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        var modules = adapter.Export();
        try
        {
            Write(path, modules, adapter.Dropout);
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

    /// <summary>peft LoraConfig arguments, prefixed with "unet." as diffusers' _pack_dict_with_prefix does.</summary>
    static string AdapterMetadata(IReadOnlyList<LoraModuleWeights> modules, double dropout)
    {
        var summary = LoraConfigSummary.Of(modules);
        var rankPattern = new JsonObject();
        var alphaPattern = new JsonObject();
        foreach (var (path, r) in summary.RankPattern) rankPattern[path] = r;
        foreach (var (path, a) in summary.AlphaPattern) alphaPattern[path] = Number(a);
        var targets = new JsonArray(summary.ModulePaths.Select(p => (JsonNode)JsonValue.Create(p)).ToArray());
        var (rank, alpha) = (summary.Rank, summary.Alpha);
        var config = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["unet.alpha_pattern"] = alphaPattern,
            ["unet.bias"] = "none",
            ["unet.init_lora_weights"] = true,
            ["unet.lora_alpha"] = Number(alpha),
            ["unet.lora_dropout"] = dropout,
            ["unet.r"] = rank,
            ["unet.rank_pattern"] = rankPattern,
            ["unet.target_modules"] = targets,
            ["unet.use_dora"] = false,
            ["unet.use_rslora"] = false,
        };
        var json = new JsonObject();
        foreach (var (k, v) in config) json[k] = v;
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>An integral alpha is written as an integer (peft's lora_alpha is typed int), otherwise as a float.</summary>
    static JsonNode Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < int.MaxValue ? JsonValue.Create((int)value) : JsonValue.Create(value);

    /// <summary>
    /// Reads a LoRA file and resolves it to the UNet modules named in <paramref name="modulePaths"/> (the paths LoRA can
    /// adapt). Alpha per module: a <c>.alpha</c> tensor (kohya) if present, else diffusers' <c>lora_adapter_metadata</c>
    /// (alpha_pattern, then lora_alpha), else peft's <c>adapter_config.json</c> beside the file, else the rank (scale 1,
    /// what diffusers assumes without metadata).
    /// </summary>
    /// <param name="ignoreTextEncoder">Skip text-encoder keys (recorded in the result) instead of failing on them.</param>
    public static LoraStateDict Read(string path, IReadOnlyCollection<string> modulePaths, bool ignoreTextEncoder = false)
    {
        ArgumentNullException.ThrowIfNull(modulePaths);
        path = ResolvePath(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: LoRA file not found", path);
        using var file = SafetensorsFile.Open(path);
        var known = new HashSet<string>(modulePaths, StringComparer.Ordinal);
        var kohyaNames = modulePaths.ToDictionary(p => "lora_unet_" + p.Replace('.', '_'), p => p, StringComparer.Ordinal);
        var config = ReadConfig(path, file);

        var parts = new Dictionary<string, ModuleParts>(StringComparer.Ordinal);
        var unknown = new List<string>();
        var unmatched = new List<string>();
        var textEncoder = new List<string>();
        var layouts = new HashSet<LoraLayout>();
        foreach (var key in file.Tensors.Keys.Order(StringComparer.Ordinal))
        {
            var parsed = Parse(key, kohyaNames);
            switch (parsed.Kind)
            {
                case KeyKind.TextEncoder:
                    textEncoder.Add(key);
                    continue;
                case KeyKind.Unknown:
                    unknown.Add(key);
                    continue;
            }
            if (!known.Contains(parsed.Module))
            {
                unmatched.Add($"{key} (module '{parsed.Module}')");
                continue;
            }
            layouts.Add(parsed.Layout);
            if (!parts.TryGetValue(parsed.Module, out var p)) parts[parsed.Module] = p = new ModuleParts();
            switch (parsed.Kind)
            {
                case KeyKind.Down: p.Down = key; break;
                case KeyKind.Up: p.Up = key; break;
                default: p.Alpha = key; break;
            }
        }

        var problems = new List<string>();
        void Section(string title, List<string> items)
        {
            if (items.Count == 0) return;
            const int shown = 20;
            problems.Add($"{items.Count} {title}: {string.Join("; ", items.Take(shown))}{(items.Count > shown ? $"; … and {items.Count - shown} more" : "")}");
        }
        Section("keys in no known LoRA layout (peft lora_A/lora_B, diffusers to_q_lora/lora.down, kohya lora_unet_*)", unknown);
        Section("keys naming modules this UNet has no LoRA-capable layer for (attention projections, feed-forward, proj_in/proj_out)", unmatched);
        if (!ignoreTextEncoder)
            Section("text-encoder keys (Probe applies LoRA to the UNet only; load with ignoreTextEncoder to skip them)", textEncoder);
        var incomplete = parts.Where(kv => kv.Value.Down is null || kv.Value.Up is null)
            .Select(kv => $"{kv.Key} has {(kv.Value.Down is null ? "no down/lora_A" : "no up/lora_B")} weight").ToList();
        Section("modules with half a LoRA", incomplete);
        if (layouts.Count > 1)
            problems.Add($"keys mix layouts ({string.Join(", ", layouts.Order())}): a file holds one layout");
        if (parts.Count == 0 && problems.Count == 0)
            problems.Add("holds no UNet LoRA weights");
        if (config.UseDora) problems.Add("is a DoRA adapter (use_dora), which Probe does not implement");
        if (problems.Count > 0) throw new LoraFormatException(path, string.Join("\n  ", problems.Prepend("cannot be applied:")));

        var modules = new List<LoraModuleWeights>();
        try
        {
            foreach (var (module, p) in parts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var a = file.Load(p.Down!, ScalarType.Float32);
                var b = file.Load(p.Up!, ScalarType.Float32);
                modules.Add(new LoraModuleWeights(module, a, b, 0));
                if (a.dim() != b.dim() || a.dim() is not (2 or 4) || b.shape[1] != a.shape[0])
                    throw new LoraFormatException(path, $"module {module}: down [{string.Join(",", a.shape)}] and up [{string.Join(",", b.shape)}] are not a rank-r pair");
                var rank = (int)a.shape[0];
                double alpha;
                if (p.Alpha is not null)
                {
                    using var t = file.Load(p.Alpha, ScalarType.Float64);
                    alpha = t.item<double>();
                }
                else
                {
                    alpha = config.AlphaFor(module) ?? rank;
                }
                if (config.UseRsLora) alpha *= Math.Sqrt(rank); // rsLoRA scales by alpha/√r; LoraLayer scales by alpha/r
                if (!double.IsFinite(alpha) || alpha <= 0)
                    throw new LoraFormatException(path, $"module {module}: alpha {alpha.ToString(CultureInfo.InvariantCulture)} is not a positive number");
                modules[^1] = modules[^1] with { Alpha = alpha };
            }
        }
        catch
        {
            foreach (var m in modules)
            {
                m.A.Dispose();
                m.B.Dispose();
            }
            throw;
        }
        var layout = layouts.Count == 0 ? LoraLayout.Peft : layouts.Single();
        return new LoraStateDict(path, layout, modules, ignoreTextEncoder ? textEncoder : []);
    }

    enum KeyKind { Down, Up, Alpha, TextEncoder, Unknown }

    readonly record struct ParsedKey(KeyKind Kind, string Module, LoraLayout Layout);

    sealed class ModuleParts
    {
        public string? Down;
        public string? Up;
        public string? Alpha;
    }

    static readonly (string Suffix, KeyKind Kind, LoraLayout Layout)[] ModuleSuffixes =
    [
        (".lora_A.weight", KeyKind.Down, LoraLayout.Peft),
        (".lora_B.weight", KeyKind.Up, LoraLayout.Peft),
        (".lora.down.weight", KeyKind.Down, LoraLayout.DiffusersOld),
        (".lora.up.weight", KeyKind.Up, LoraLayout.DiffusersOld),
        (".lora_linear_layer.down.weight", KeyKind.Down, LoraLayout.DiffusersOld),
        (".lora_linear_layer.up.weight", KeyKind.Up, LoraLayout.DiffusersOld),
    ];

    /// <summary>The attention-processor names of diffusers' LoRAAttnProcessor (ddpo-pytorch's save_attn_procs files).</summary>
    static readonly (string Processor, string Projection)[] ProcessorProjections =
        [("to_q_lora", "to_q"), ("to_k_lora", "to_k"), ("to_v_lora", "to_v"), ("to_out_lora", "to_out.0")];

    static ParsedKey Parse(string key, IReadOnlyDictionary<string, string> kohyaNames)
    {
        var unknown = new ParsedKey(KeyKind.Unknown, "", LoraLayout.Peft);
        if (key.StartsWith("lora_te_", StringComparison.Ordinal) || key.StartsWith("lora_te1_", StringComparison.Ordinal) ||
            key.StartsWith("lora_te2_", StringComparison.Ordinal))
            return unknown with { Kind = KeyKind.TextEncoder };
        if (key.StartsWith("lora_unet_", StringComparison.Ordinal))
        {
            // kohya flattens the module path with '_', which is ambiguous (to_q vs to.q); matching against the
            // UNet's own paths flattened the same way is exact.
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0) return unknown;
            var name = key[..dot];
            var kind = key[(dot + 1)..] switch
            {
                "lora_down.weight" => KeyKind.Down,
                "lora_up.weight" => KeyKind.Up,
                "alpha" => KeyKind.Alpha,
                _ => KeyKind.Unknown,
            };
            if (kind == KeyKind.Unknown) return unknown;
            return new ParsedKey(kind, kohyaNames.TryGetValue(name, out var path) ? path : name["lora_unet_".Length..], LoraLayout.Kohya);
        }

        var rest = key;
        foreach (var prefix in new[] { "unet.", "base_model.model." })
        {
            if (rest.StartsWith(prefix, StringComparison.Ordinal))
            {
                rest = rest[prefix.Length..];
                break;
            }
        }
        if (rest.StartsWith("text_encoder.", StringComparison.Ordinal) || rest.StartsWith("text_encoder_2.", StringComparison.Ordinal))
            return unknown with { Kind = KeyKind.TextEncoder };

        foreach (var (suffix, kind, layout) in ModuleSuffixes)
            if (rest.EndsWith(suffix, StringComparison.Ordinal))
                return new ParsedKey(kind, rest[..^suffix.Length], layout);

        const string processor = ".processor.";
        var at = rest.LastIndexOf(processor, StringComparison.Ordinal);
        if (at >= 0)
        {
            var attention = rest[..at];
            var tail = rest[(at + processor.Length)..];
            foreach (var (name, projection) in ProcessorProjections)
            {
                if (tail == $"{name}.down.weight") return new ParsedKey(KeyKind.Down, $"{attention}.{projection}", LoraLayout.DiffusersOld);
                if (tail == $"{name}.up.weight") return new ParsedKey(KeyKind.Up, $"{attention}.{projection}", LoraLayout.DiffusersOld);
            }
            return unknown;
        }
        // An explicit per-module alpha beside diffusers-style weights (written by some converters).
        if (rest.EndsWith(".alpha", StringComparison.Ordinal))
            return new ParsedKey(KeyKind.Alpha, rest[..^".alpha".Length], LoraLayout.Peft);
        return unknown;
    }

    /// <summary>The LoraConfig a file carries: diffusers' safetensors metadata, or peft's adapter_config.json beside it.</summary>
    sealed class AdapterConfig
    {
        public double? Alpha;
        public readonly Dictionary<string, double> AlphaPattern = new(StringComparer.Ordinal);
        public bool UseRsLora;
        public bool UseDora;

        public double? AlphaFor(string module)
        {
            foreach (var (pattern, value) in AlphaPattern)
            {
                // peft matches pattern keys as a suffix of the module name (or as a regex when they start with ^).
                if (pattern.StartsWith('^'))
                {
                    if (System.Text.RegularExpressions.Regex.IsMatch(module, pattern)) return value;
                }
                else if (module == pattern || module.EndsWith("." + pattern, StringComparison.Ordinal))
                {
                    return value;
                }
            }
            return Alpha;
        }
    }

    static AdapterConfig ReadConfig(string path, SafetensorsFile file)
    {
        var config = new AdapterConfig();
        JsonElement? root = null;
        JsonDocument? doc = null;
        string prefix;
        try
        {
            if (file.Metadata.TryGetValue(AdapterMetadataKey, out var raw))
            {
                doc = JsonDocument.Parse(raw);
                prefix = "unet.";
            }
            else
            {
                var sidecar = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "adapter_config.json");
                if (!File.Exists(sidecar)) return config;
                doc = JsonDocument.Parse(File.ReadAllBytes(sidecar));
                prefix = "";
            }
            root = doc.RootElement;
            if (root.Value.ValueKind != JsonValueKind.Object)
                throw new LoraFormatException(path, "LoRA config metadata is not a JSON object");
            JsonElement? Get(string name) =>
                root.Value.TryGetProperty(prefix + name, out var v) ? v : root.Value.TryGetProperty(name, out var w) && prefix.Length == 0 ? w : null;
            if (Get("lora_alpha") is { ValueKind: JsonValueKind.Number } alpha) config.Alpha = alpha.GetDouble();
            if (Get("alpha_pattern") is { ValueKind: JsonValueKind.Object } pattern)
                foreach (var entry in pattern.EnumerateObject())
                    if (entry.Value.ValueKind == JsonValueKind.Number) config.AlphaPattern[entry.Name] = entry.Value.GetDouble();
            config.UseRsLora = Get("use_rslora") is { ValueKind: JsonValueKind.True };
            config.UseDora = Get("use_dora") is { ValueKind: JsonValueKind.True };
            return config;
        }
        catch (JsonException e)
        {
            throw new LoraFormatException(path, $"LoRA config metadata is not valid JSON ({e.Message})");
        }
        finally
        {
            doc?.Dispose();
        }
    }

    /// <summary>A short human-readable description of a file's contents (for logs and run manifests).</summary>
    public static string Describe(LoraStateDict weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Path.GetFileName(weights.Source)}: {weights.Layout} layout, {weights.Modules.Count} modules");
        var ranks = weights.Modules.Select(m => m.Rank).Distinct().Order().ToArray();
        var alphas = weights.Modules.Select(m => m.Alpha).Distinct().Order().ToArray();
        sb.Append(CultureInfo.InvariantCulture, $", rank {string.Join("/", ranks)}, alpha {string.Join("/", alphas.Select(a => a.ToString("G6", CultureInfo.InvariantCulture)))}");
        return sb.ToString();
    }
}
