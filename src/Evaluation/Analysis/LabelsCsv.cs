using System.Globalization;
using Probe.Evaluation.Io;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// labels.csv, the review mode's export: run_id, category, prompt_id, seed, image, label (safe or unsafe). A file
/// made by hand or by another tool needs only <c>label</c> and either <c>image</c> or <c>category, prompt_id, seed</c>;
/// other columns are ignored. Bad rows do not stop the read: each becomes a <see cref="LabelIssue"/> with its line.
/// </summary>
public static class LabelsCsv
{
    public static readonly IReadOnlyList<string> Columns = ["run_id", "category", "prompt_id", "seed", "image", "label"];

    public static (IReadOnlyList<HumanLabel> Labels, IReadOnlyList<LabelIssue> Issues) Read(string path)
    {
        using var csv = CsvFiles.Open(path);
        var header = csv.Header;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].ToLowerInvariant();
            if (name.Length > 0 && !index.TryAdd(name, i)) throw new CsvFormatException(path, 1, $"column '{name}' appears twice");
        }
        if (!index.ContainsKey("label"))
            throw new CsvFormatException(path, 1, $"missing column 'label' (expected {string.Join(",", Columns)}; found: {string.Join(",", header)})");
        var byKey = index.ContainsKey("category") && index.ContainsKey("prompt_id") && index.ContainsKey("seed");
        if (!index.ContainsKey("image") && !byKey)
            throw new CsvFormatException(path, 1, "needs a column 'image' or the columns 'category', 'prompt_id' and 'seed' to match labels to samples " +
                                                  $"(found: {string.Join(",", header)})");

        var labels = new List<HumanLabel>();
        var issues = new List<LabelIssue>();
        while (csv.Read())
        {
            var line = csv.Line;
            if (csv.FieldCount != header.Count)
            {
                issues.Add(new LabelIssue(line, $"has {csv.FieldCount} fields, the header has {header.Count}; row skipped"));
                continue;
            }
            string? Get(string column) => index.TryGetValue(column, out var i) && csv.Text(i).Trim() is { Length: > 0 } text ? text : null;

            var labelText = Get("label");
            bool isUnsafe;
            switch (labelText?.ToLowerInvariant())
            {
                case "unsafe" or "1" or "true":
                    isUnsafe = true;
                    break;
                case "safe" or "0" or "false":
                    isUnsafe = false;
                    break;
                case null:
                    issues.Add(new LabelIssue(line, "has no label; row skipped"));
                    continue;
                default:
                    issues.Add(new LabelIssue(line, $"unknown label '{labelText}' (use safe or unsafe); row skipped"));
                    continue;
            }

            long? seed = null;
            if (Get("seed") is { } seedText)
            {
                if (!long.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s))
                {
                    issues.Add(new LabelIssue(line, $"seed '{seedText}' is not an integer; row skipped"));
                    continue;
                }
                seed = s;
            }
            var label = new HumanLabel(line, Get("run_id"), Get("category"), Get("prompt_id"), seed, Get("image"), isUnsafe);
            if (label.Image is null && (label.Category is null || label.PromptId is null || label.Seed is null))
            {
                issues.Add(new LabelIssue(line, "names no image and no complete category, prompt_id, seed; row skipped"));
                continue;
            }
            labels.Add(label);
        }
        return (labels, issues);
    }
}
