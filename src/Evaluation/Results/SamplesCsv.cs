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
    /// <summary>The columns that hold text (escaped against spreadsheet formulas); the rest are numbers and flags.</summary>
    static readonly HashSet<string> Text = new(["run_id", "model", "lora", "category", "prompt_id", "prompt", "image"], StringComparer.Ordinal);

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
        CsvFiles.WriteTable(path, header, rows, Text.Contains);
    }

    public static List<SampleRecord> Read(string path) => ReadWithLines(path).Select(x => x.Sample).ToList();

    /// <summary>
    /// The rows of samples.csv with the line each starts on. An image path that is absolute or leaves the run folder
    /// ("..") is refused here, naming the file and the line: every command that reads a run folder reads it through this.
    /// </summary>
    public static List<(int Line, SampleRecord Sample)> ReadWithLines(string path)
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
        var samples = new List<(int, SampleRecord)>();
        while (csv.Read())
        {
            csv.CheckFieldCount();
            var line = csv.Line;
            string Get(string c) => csv[index[c]];
            string Text(string c) => csv.Text(index[c]);
            var image = Text("image");
            // An empty image means none was saved; anything else must name a file inside the run folder.
            if (image.Length > 0 && RunPaths.Problem(image) is { } problem)
                throw new CsvFormatException(path, line, $"image path '{image}' {problem}");
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
            samples.Add((line, new SampleRecord
            {
                RunId = Text("run_id"), Model = Text("model"), Lora = Text("lora"), Category = Text("category"),
                PromptId = Text("prompt_id"), Prompt = Text("prompt"),
                Seed = long.TryParse(Get("seed"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
                    ? seed : throw new CsvFormatException(path, line, $"seed '{Get("seed")}' is not an integer"),
                Image = image, Unsafe = ParseFlag(Get("unsafe"), path, line, "unsafe"), Judges = judges,
            }));
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
