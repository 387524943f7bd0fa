using System.Globalization;
using System.Text.Json.Nodes;
using Probe.Core.Images;
using Probe.Evaluation.Results;

namespace Probe.Tests;

/// <summary>
/// Builds a synthetic run folder the way probe writes one: manifest.json, samples.csv (with per-judge columns),
/// summary.csv, optional train_log.csv and small PNG images with a <c>parameters</c> text chunk.
/// </summary>
public sealed class TestRun(string root, string runId, string kind = "eval")
{
    readonly List<SampleRecord> _samples = [];
    readonly List<TrainLogRow> _trainLog = [];
    string? _attacked;
    bool _images = true;

    public string Path { get; } = System.IO.Path.Combine(root, runId);
    public string RunId => runId;
    public IReadOnlyList<SampleRecord> Samples => _samples;

    /// <summary>Records attack.category in the manifest (an attack run's evaluation).</summary>
    public TestRun Attacked(string category)
    {
        _attacked = category;
        return this;
    }

    public TestRun WithoutImages()
    {
        _images = false;
        return this;
    }

    /// <summary>One sample; the judge "nsfwjs" scores it <paramref name="score"/> (default 0.9 unsafe / 0.1 safe) and flags it at 0.5.</summary>
    public TestRun Add(string category, string promptId, string prompt, long seed, bool isUnsafe, double? score = null, IReadOnlyList<JudgeResult>? judges = null)
    {
        var s = score ?? (isUnsafe ? 0.9 : 0.1);
        _samples.Add(new SampleRecord
        {
            RunId = runId, Model = "tiny-sd", Category = category, PromptId = promptId, Prompt = prompt, Seed = seed,
            Image = string.Create(CultureInfo.InvariantCulture, $"images/{category}/{promptId}-{seed}.png"), Unsafe = isUnsafe,
            Judges = judges ?? [new JudgeResult("nsfwjs", s, s >= 0.5, new Dictionary<string, double> { ["porn"] = s, ["neutral"] = 1 - s })],
        });
        return this;
    }

    /// <summary>
    /// <paramref name="n"/> samples of <paramref name="category"/> over <paramref name="prompts"/> prompts (prompt i % prompts,
    /// seed 1000 + i); the first <paramref name="unsafeCount"/> are unsafe.
    /// </summary>
    public TestRun AddCategory(string category, int n, int unsafeCount, int prompts = 5)
    {
        for (var i = 0; i < n; i++)
        {
            var p = i % prompts;
            Add(category, string.Create(CultureInfo.InvariantCulture, $"{category}-{p:D2}"), $"a {category} prompt number {p}", 1000 + i, i < unsafeCount);
        }
        return this;
    }

    /// <summary>A train_log.csv row: update, reward mean and std (the other columns get plausible values).</summary>
    public TestRun Log(int update, double rewardMean, double rewardStd)
    {
        _trainLog.Add(new TrainLogRow
        {
            Update = update, RewardMean = rewardMean, RewardStd = rewardStd, UnsafeRate = rewardMean, ApproxKl = 0.01, ClipFraction = 0.1,
            RatioMean = 1, RatioMin = 0.9, RatioMax = 1.1, GradNorm = 0.5, LearningRate = 1e-4, Seconds = 2, ImagesPerSecond = 4,
        });
        return this;
    }

    public string Write()
    {
        Directory.CreateDirectory(Path);
        var attack = _attacked is null ? null : new JsonObject { ["category"] = _attacked, ["lora"] = "lora.safetensors" };
        new RunManifest
        {
            RunId = runId, Kind = kind, CreatedUtc = new DateTime(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc), ToolVersion = "0.1.0",
            Model = new RunManifest.ModelRecord("tiny-sd", "folder", null, null, "/models/tiny-sd", []),
            Device = new RunManifest.DeviceRecord("cpu", "float32", "test cpu", 2, "linux"),
            Samples = _samples.Count, Attack = attack,
        }.Save(Path);
        SamplesCsv.Write(System.IO.Path.Combine(Path, SamplesCsv.FileName), _samples);
        SummaryCsv.Write(System.IO.Path.Combine(Path, SummaryCsv.FileName), CategorySummary.Of(_samples));
        if (_trainLog.Count > 0) TrainLog.Write(System.IO.Path.Combine(Path, TrainLog.FileName), _trainLog);
        if (_images)
            foreach (var s in _samples)
                WritePng(System.IO.Path.Combine(Path, s.Image), s.Unsafe, s.Prompt, s.Seed);
        return Path;
    }

    /// <summary>An 8×8 PNG: red for unsafe samples, green for safe ones, with A1111-style parameters.</summary>
    static void WritePng(string path, bool isUnsafe, string prompt, long seed)
    {
        var rgb = new byte[8 * 8 * 3];
        for (var i = 0; i < 64; i++)
        {
            rgb[i * 3] = (byte)(isUnsafe ? 220 : 40);
            rgb[i * 3 + 1] = (byte)(isUnsafe ? 40 : 180);
            rgb[i * 3 + 2] = (byte)(i * 4);
        }
        PngFile.Write(path, 8, 8, rgb, new Dictionary<string, string>
        {
            ["parameters"] = string.Create(CultureInfo.InvariantCulture, $"{prompt}\nSteps: 2, Sampler: DDIM, CFG scale: 7.5, Seed: {seed}, Size: 8x8, Model: tiny-sd"),
        });
    }
}
