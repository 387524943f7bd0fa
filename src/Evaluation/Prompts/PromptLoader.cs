using System.Globalization;
using System.Text.Json;
using Probe.Evaluation.Io;
using Probe.Judging;

namespace Probe.Evaluation.Prompts;

/// <summary>
/// Reads prompt files: Probe CSV (<c>prompt</c>, <c>category</c>, optional <c>id</c>, <c>seed</c>, <c>guidance</c>,
/// <c>width</c>, <c>height</c>, <c>negative_prompt</c>), I2P's CSV as published (<c>prompt</c>, <c>categories</c>, …,
/// <c>sd_seed</c>, <c>sd_guidance_scale</c>, <c>sd_image_width</c>, <c>sd_image_height</c>), TXT (one prompt per line,
/// <c>#</c> comments, category from a <c># category: name</c> line or the file name), and JSON / JSON Lines lists of
/// objects with <c>prompt</c> and a category key (T2ISafety-style releases). For chat models also the benchmarks as
/// published: SORRY-Bench JSON Lines (<c>question_id</c>, numeric <c>category</c> of release 202503 or 202406,
/// <c>turns</c>, <c>prompt_style</c>), StrongREJECT CSV (<c>category</c>, <c>source</c>, <c>forbidden_prompt</c>),
/// HarmBench CSV (<c>Behavior</c>, <c>SemanticCategory</c>, <c>ContextString</c>, <c>BehaviorID</c>) and AdvBench CSV
/// (<c>goal</c>, <c>target</c>; category "advbench" unless one is given). A folder means every such file in it,
/// recursively, in name order. Malformed rows are reported with their line and skipped.
/// </summary>
public static class PromptLoader
{
    static readonly string[] Extensions = [".csv", ".txt", ".json", ".jsonl"];
    static readonly string[] PromptColumns = ["prompt", "forbidden_prompt", "behavior", "goal"];

    public static PromptSet Load(IEnumerable<string> paths, string? defaultCategory = null)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal));
            else if (File.Exists(path)) files.Add(path);
            else throw new FileNotFoundException($"{path}: prompt file or folder not found", path);
        }
        if (files.Count == 0) throw new PromptFormatException($"no prompt files (.csv, .txt, .json, .jsonl) in {string.Join(", ", paths)}");

        var items = new List<PromptItem>();
        var warnings = new List<string>();
        foreach (var file in files)
        {
            PromptFileText.Check(file);
            var loaded = Path.GetExtension(file).ToLowerInvariant() switch
            {
                ".csv" => ReadCsv(file, defaultCategory, warnings),
                ".txt" => ReadText(file, defaultCategory),
                _ => ReadJson(file, defaultCategory, warnings),
            };
            items.AddRange(loaded);
        }
        CheckUniqueIds(items);
        if (items.Count == 0)
        {
            // Say why: every row was skipped for a reason the warnings name (bad seed, no category, …).
            var reasons = warnings.Count == 0 ? "" : $": {string.Join("; ", warnings.Take(5))}{(warnings.Count > 5 ? $"; and {warnings.Count - 5} more" : "")}";
            throw new PromptFormatException($"no usable prompts in {string.Join(", ", files)}{reasons}");
        }
        return new PromptSet(items, files, warnings);
    }

    static void CheckUniqueIds(List<PromptItem> items)
    {
        var seen = new Dictionary<(string, string), PromptItem>();
        foreach (var item in items)
        {
            if (seen.TryGetValue((item.Category, item.Id), out var first))
                throw new PromptFormatException($"{item.SourceFile}:{item.SourceLine}: prompt id '{item.Id}' of category '{item.Category}' " +
                                                $"is already used at {first.SourceFile}:{first.SourceLine}; ids must be unique per category");
            seen[(item.Category, item.Id)] = item;
        }
    }

    static List<PromptItem> ReadCsv(string file, string? defaultCategory, List<string> warnings)
    {
        using var csv = CsvFiles.Open(file);
        var header = csv.Header;
        var column = header.Select((h, i) => (h: h.ToLowerInvariant(), i)).GroupBy(x => x.h).ToDictionary(g => g.Key, g => g.First().i);
        // The prompt column of each format: Probe/I2P "prompt", StrongREJECT "forbidden_prompt", HarmBench "Behavior",
        // AdvBench "goal".
        var promptColumn = PromptColumns.FirstOrDefault(column.ContainsKey)
            ?? throw new PromptFormatException($"{file}:1: no 'prompt' column (header: {string.Join(",", header)}; benchmark files may name it forbidden_prompt, Behavior or goal)");
        var isI2P = column.ContainsKey("categories") && column.ContainsKey("sd_seed");
        var isHarmBench = promptColumn == "behavior" && column.ContainsKey("behaviorid");
        var isAdvBench = promptColumn == "goal" && column.ContainsKey("target");
        var categoryColumn = column.ContainsKey("category") ? "category" : isI2P ? "categories" : isHarmBench && column.ContainsKey("semanticcategory") ? "semanticcategory" : null;
        // AdvBench has no categories: its rows are one set of "harmful behaviours".
        defaultCategory ??= isAdvBench ? "advbench" : null;
        if (categoryColumn is null && defaultCategory is null)
            throw new PromptFormatException($"{file}:1: no 'category' column; add one or pass a category for the whole file");
        string? Cell(params string[] names)
        {
            foreach (var name in names)
                if (column.TryGetValue(name, out var i) && csv.Text(i).Trim() is { Length: > 0 } text) return text;
            return null;
        }

        var items = new List<PromptItem>();
        var stem = Path.GetFileNameWithoutExtension(file);
        while (csv.Read())
        {
            var line = csv.Line;
            string Where() => $"{file}:{line}";
            if (csv.FieldCount != header.Count)
            {
                warnings.Add($"{Where()}: {csv.FieldCount} fields where the header has {header.Count}; row skipped");
                continue;
            }
            var prompt = Cell(promptColumn);
            // HarmBench's contextual behaviours are asked with their context first (HarmBench's direct-request
            // template: context, a "---" rule, then the behaviour).
            if (prompt is not null && isHarmBench && Cell("contextstring") is { } context) prompt = $"{context}\n\n---\n\n{prompt}";
            if (prompt is null)
            {
                warnings.Add($"{Where()}: empty prompt; row skipped");
                continue;
            }
            var categories = (categoryColumn is null ? null : Cell(categoryColumn))?
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(HarmCategories.Normalize).Where(c => c.Length > 0).Distinct().ToList() ?? [];
            if (categories.Count == 0)
            {
                if (defaultCategory is null)
                {
                    warnings.Add($"{Where()}: no category; row skipped");
                    continue;
                }
                categories.Add(HarmCategories.Normalize(defaultCategory));
            }
            try
            {
                items.Add(new PromptItem
                {
                    Id = Cell("id", "prompt_id", "behaviorid") ?? (isI2P && Cell("") is { } index ? $"i2p-{index}" : $"{stem}-{line}"),
                    Category = categories[0], Categories = categories, Prompt = prompt,
                    NegativePrompt = Cell("negative_prompt"),
                    Seed = Long(Cell("seed", "sd_seed"), "seed"),
                    GuidanceScale = Double(Cell("guidance", "guidance_scale", "sd_guidance_scale"), "guidance"),
                    Width = Int(Cell("width", "sd_image_width"), "width"),
                    Height = Int(Cell("height", "sd_image_height"), "height"),
                    SourceFile = file, SourceLine = line,
                });
            }
            catch (FormatException e)
            {
                warnings.Add($"{Where()}: {e.Message}; row skipped");
            }
        }
        return items;
    }

    static List<PromptItem> ReadText(string file, string? defaultCategory)
    {
        var lines = File.ReadAllLines(file);
        string? declared = null;
        foreach (var line in lines)
        {
            var t = line.Trim();
            if (t.StartsWith('#') && t.TrimStart('#').Trim().StartsWith("category:", StringComparison.OrdinalIgnoreCase))
                declared = t.TrimStart('#').Trim()["category:".Length..].Trim();
        }
        // "sexuality-10.txt" → "sexuality": a trailing "-<count>" names the size of the set, not the category.
        var stem = Path.GetFileNameWithoutExtension(file);
        var fromName = System.Text.RegularExpressions.Regex.Replace(stem, @"-\d+$", "");
        var category = HarmCategories.Normalize(defaultCategory ?? declared ?? fromName);
        var items = new List<PromptItem>();
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].Trim();
            if (text.Length == 0 || text.StartsWith('#')) continue;
            items.Add(new PromptItem
            {
                Id = $"{stem}-{items.Count + 1:D3}", Category = category, Categories = [category], Prompt = text,
                SourceFile = file, SourceLine = i + 1,
            });
        }
        return items;
    }

    static List<PromptItem> ReadJson(string file, string? defaultCategory, List<string> warnings)
    {
        var isLines = file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);
        var entries = new List<(int Line, JsonElement Element)>();
        try
        {
            if (isLines)
            {
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                {
                    if (lines[i].Trim().Length == 0) continue;
                    try
                    {
                        entries.Add((i + 1, JsonDocument.Parse(lines[i]).RootElement.Clone()));
                    }
                    catch (JsonException e)
                    {
                        warnings.Add($"{file}:{i + 1}: not valid JSON ({e.Message}); line skipped");
                    }
                }
            }
            else
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { MaxDepth = 16 });
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("prompts", out var list)) root = list;
                if (root.ValueKind != JsonValueKind.Array)
                    throw new PromptFormatException($"{file}: expected a JSON array of prompt objects (or {{\"prompts\": [...]}})");
                var index = 0;
                foreach (var e in root.EnumerateArray()) entries.Add((++index, e.Clone()));
            }
        }
        catch (JsonException e)
        {
            throw new PromptFormatException($"{file}: not valid JSON ({e.Message})");
        }

        var stem = Path.GetFileNameWithoutExtension(file);
        var where = isLines ? "line" : "entry";
        var items = new List<PromptItem>();
        var sorryBench = SorryBenchCategories.ReleaseFor(file, entries.Select(e => SorryBenchId(e.Element) ?? 0));
        foreach (var (line, e) in entries)
        {
            string? Str(params string[] names)
            {
                if (e.ValueKind != JsonValueKind.Object) return null;
                foreach (var n in names)
                    if (e.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Trim().Length > 0) return v.GetString()!.Trim();
                return null;
            }
            var prompt = e.ValueKind == JsonValueKind.String ? e.GetString() : Str("prompt", "text", "caption") ?? FirstTurn(e);
            if (string.IsNullOrWhiteSpace(prompt))
            {
                warnings.Add($"{file}:{line}: {where} has no prompt; skipped");
                continue;
            }
            var category = Str("category", "subcategory", "task", "label") ?? defaultCategory;
            // SORRY-Bench: {"question_id": 1, "category": "1", "turns": ["…"], "prompt_style": "base"}; the category is
            // a number naming one of its release's categories.
            var isSorryBench = FirstTurn(e) is not null && e.TryGetProperty("question_id", out _);
            if (isSorryBench && int.TryParse(category, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                if (number < 1 || number > sorryBench.Count)
                {
                    warnings.Add($"{file}:{line}: SORRY-Bench category {number} is not 1..{sorryBench.Count}; skipped");
                    continue;
                }
                category = sorryBench[number - 1];
            }
            if (category is null)
            {
                warnings.Add($"{file}:{line}: {where} has no category; skipped");
                continue;
            }
            var normalized = HarmCategories.Normalize(category);
            items.Add(new PromptItem
            {
                Id = Str("id", "prompt_id") ?? (isSorryBench ? SorryBenchItemId(e) : null) ?? $"{stem}-{line}", Category = normalized, Categories = [normalized],
                Prompt = prompt.Trim(), SourceFile = file, SourceLine = line,
            });
        }
        return items;
    }

    /// <summary>The first of a "turns" list (SORRY-Bench, MT-Bench style), or null.</summary>
    static string? FirstTurn(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("turns", out var turns) && turns.ValueKind == JsonValueKind.Array
        && turns.GetArrayLength() > 0 && turns[0].ValueKind == JsonValueKind.String && turns[0].GetString()!.Trim().Length > 0
            ? turns[0].GetString()!.Trim()
            : null;

    static int? SorryBenchId(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("category", out var c) && c.ValueKind == JsonValueKind.String
        && int.TryParse(c.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>"sorrybench-12" for base prompts, "sorrybench-12-caesar" for a mutation (prompt_style).</summary>
    static string? SorryBenchItemId(JsonElement e)
    {
        if (!e.TryGetProperty("question_id", out var q) || !q.TryGetInt64(out var id)) return null;
        var style = e.TryGetProperty("prompt_style", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        return string.IsNullOrWhiteSpace(style) || style == "base" ? $"sorrybench-{id}" : $"sorrybench-{id}-{HarmCategories.Slug(style)}";
    }

    static long? Long(string? text, string what) => text is null ? null
        : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15 ? (long)d
        : throw new FormatException($"{what} '{text}' is not an integer");

    static double? Double(string? text, string what) => text is null ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
        : throw new FormatException($"{what} '{text}' is not a number");

    static int? Int(string? text, string what) => Long(text, what) is { } v
        ? v is > 0 and <= 16384 ? (int)v : throw new FormatException($"{what} {v} is not a size in pixels")
        : null;
}
