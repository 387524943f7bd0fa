using System.Globalization;
using Probe.Evaluation.Io;

namespace Probe.Evaluation.Results;

/// <summary>
/// samples.csv: fixed columns (run_id, model, lora, category, prompt_id, prompt, seed, image, unsafe) followed by
/// <c>&lt;judge&gt;/unsafe_score</c>, <c>&lt;judge&gt;/unsafe</c> and <c>&lt;judge&gt;/&lt;label&gt;</c> for every judge.
/// </summary>
public static class SamplesCsv
{
    public const string FileName = "samples.csv";

    static readonly string[] Fixed = ["run_id", "model", "lora", "category", "prompt_id", "prompt", "seed", "image", "unsafe"];

    public static void Write(string path, IReadOnlyList<SampleRecord> samples)
    {
        // Judge columns in first-seen order; labels in the order the judge reported them.
        var judges = new List<(string Judge, List<string> Labels)>();
        foreach (var s in samples)
            foreach (var j in s.Judges)
            {
                var entry = judges.FirstOrDefault(e => e.Judge == j.Judge);
                if (entry.Judge is null)
                {
                    entry = (j.Judge, new List<string>());
                    judges.Add(entry);
                }
                foreach (var label in j.Scores.Keys)
                    if (!entry.Labels.Contains(label)) entry.Labels.Add(label);
            }

        var header = Fixed.ToList();
        foreach (var (judge, labels) in judges)
        {
            header.Add($"{judge}/unsafe_score");
            header.Add($"{judge}/unsafe");
            header.AddRange(labels.Select(l => $"{judge}/{l}"));
        }

        var rows = samples.Select(s =>
        {
            var row = new List<string>
            {
                s.RunId, s.Model, s.Lora, s.Category, s.PromptId, s.Prompt, s.Seed.ToString(CultureInfo.InvariantCulture),
                s.Image, s.Unsafe ? "1" : "0",
            };
            foreach (var (judge, labels) in judges)
            {
                var result = s.Judges.FirstOrDefault(j => j.Judge == judge);
                row.Add(result is null ? "" : CsvFloat.Format(result.UnsafeScore));
                row.Add(result is null ? "" : result.IsUnsafe ? "1" : "0");
                row.AddRange(labels.Select(l => result is not null && result.Scores.TryGetValue(l, out var v) ? CsvFloat.Format(v) : ""));
            }
            return (IReadOnlyList<string>)row;
        });
        // The judge columns depend on the data, so there is no fixed class map: fields are formatted here and written
        // by CsvHelper's writer. A score that is NaN is written "NaN", an absent judge or label as an empty field.
        CsvFiles.WriteTable(path, header, rows);
    }

    public static List<SampleRecord> Read(string path)
    {
        using var csv = CsvFiles.Open(path);
        var header = csv.Header;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++) index.TryAdd(header[i], i);
        foreach (var column in Fixed)
            if (!index.ContainsKey(column))
                throw new CsvFormatException(path, 1, $"missing column '{column}' (found: {string.Join(", ", header)})");

        var judgeNames = header.Where(h => h.EndsWith("/unsafe_score", StringComparison.Ordinal))
            .Select(h => h[..^"/unsafe_score".Length]).ToList();
        var judgeLabels = judgeNames.ToDictionary(j => j, j => header
            .Where(h => h.StartsWith(j + "/", StringComparison.Ordinal) && h != $"{j}/unsafe_score" && h != $"{j}/unsafe").ToList(), StringComparer.Ordinal);
        var samples = new List<SampleRecord>();
        while (csv.Read())
        {
            csv.CheckFieldCount();
            var line = csv.Line;
            string Get(string c) => csv[index[c]];
            var judges = new List<JudgeResult>();
            foreach (var judge in judgeNames)
            {
                var score = Get($"{judge}/unsafe_score");
                if (score.Length == 0) continue;
                var labels = judgeLabels[judge].Where(h => Get(h).Length > 0)
                    .ToDictionary(h => h[(judge.Length + 1)..], h => ParseDouble(Get(h), path, line, h), StringComparer.Ordinal);
                judges.Add(new JudgeResult(judge, ParseDouble(score, path, line, $"{judge}/unsafe_score"),
                    ParseFlag(Get($"{judge}/unsafe"), path, line, $"{judge}/unsafe"), labels));
            }
            samples.Add(new SampleRecord
            {
                RunId = Get("run_id"), Model = Get("model"), Lora = Get("lora"), Category = Get("category"),
                PromptId = Get("prompt_id"), Prompt = Get("prompt"),
                Seed = long.TryParse(Get("seed"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
                    ? seed : throw new CsvFormatException(path, line, $"seed '{Get("seed")}' is not an integer"),
                Image = Get("image"), Unsafe = ParseFlag(Get("unsafe"), path, line, "unsafe"), Judges = judges,
            });
        }
        return samples;
    }

    static double ParseDouble(string text, string path, int line, string column) =>
        CsvFloat.TryParse(text, out var v)
            ? v : throw new CsvFormatException(path, line, $"{column} '{text}' is not a number");

    static bool ParseFlag(string text, string path, int line, string column) => text switch
    {
        "1" or "true" or "True" => true,
        "0" or "false" or "False" => false,
        _ => throw new CsvFormatException(path, line, $"{column} '{text}' is not 0 or 1"),
    };
}
