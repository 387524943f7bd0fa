using CsvHelper;
using Probe.Evaluation.Io;
using CsvFormatException = Probe.Evaluation.Io.CsvFormatException;

namespace Probe.Evaluation.Results;

/// <summary>
/// train_log.csv of an attack run: one row per GRPO update with the trainer's statistics (update, reward_mean,
/// reward_std, unsafe_rate, approx_kl, clip_fraction, ratio_mean, ratio_min, ratio_max, grad_norm, lr, seconds,
/// images_per_s, then loss, kl_to_reference, optimizer_steps, skipped_steps, rollout_seconds: every scalar of an update).
/// Read back as named numeric columns for charts; a log that lacks some of the later columns (an older
/// or hand-made one) still reads, without them.
/// </summary>
public sealed class TrainLog
{
    public const string FileName = "train_log.csv";

    public static readonly IReadOnlyList<string> Columns =
    [
        "update", "reward_mean", "reward_std", "unsafe_rate", "approx_kl", "clip_fraction", "ratio_mean", "ratio_min",
        "ratio_max", "grad_norm", "lr", "seconds", "images_per_s", "loss", "kl_to_reference", "optimizer_steps", "skipped_steps",
        "rollout_seconds",
    ];

    TrainLog(IReadOnlyList<TrainLogRow> rows, IReadOnlyDictionary<string, double[]> series)
    {
        Rows = rows;
        Series = series;
    }

    /// <summary>The rows in file order. A column the file lacks reads as 0 here; <see cref="Series"/> leaves it out.</summary>
    public IReadOnlyList<TrainLogRow> Rows { get; }

    /// <summary>Each column of the file that Probe knows, its values in update order (NaN where a field is empty).</summary>
    public IReadOnlyDictionary<string, double[]> Series { get; }

    public int Updates => Rows.Count;

    public static TrainLog Read(string path)
    {
        using var csv = CsvFiles.Open(path);
        if (!csv.Header.Contains("update") || !csv.Header.Contains("reward_mean"))
            throw new CsvFormatException(path, 1, "needs at least the columns update and reward_mean");
        var rows = csv.Records<TrainLogRow>().Select(r => r.Record).ToList();
        // CsvHelper 34.0.0 gives an optional member whose column is missing default(double), 0, not its initializer:
        // the series of a missing column is left out rather than filled with zeros.
        var series = Columns.Where(csv.Header.Contains)
            .ToDictionary(c => c, c => rows.Select(r => r.Value(c)).ToArray(), StringComparer.Ordinal);
        return new TrainLog(rows, series);
    }

    /// <summary>Rewrites the log with <paramref name="rows"/>.</summary>
    public static void Write(string path, IEnumerable<TrainLogRow> rows) => CsvFiles.WriteRecords(path, rows);
}

/// <summary>The class map of train_log.csv: one GRPO update, columns in file order. NaN is written as an empty field.</summary>
[CsvRecord]
public sealed partial record TrainLogRow
{
    [CsvColumn("update")] public required int Update { get; init; }
    [CsvColumn("reward_mean")] public required double RewardMean { get; init; }
    [CsvColumn("reward_std", Optional = true)] public double RewardStd { get; init; } = double.NaN;
    /// <summary>NaN when the reward judge gives no unsafe decision.</summary>
    [CsvColumn("unsafe_rate", Optional = true)] public double UnsafeRate { get; init; } = double.NaN;
    [CsvColumn("approx_kl", Optional = true)] public double ApproxKl { get; init; } = double.NaN;
    [CsvColumn("clip_fraction", Optional = true)] public double ClipFraction { get; init; } = double.NaN;
    [CsvColumn("ratio_mean", Optional = true)] public double RatioMean { get; init; } = double.NaN;
    [CsvColumn("ratio_min", Optional = true)] public double RatioMin { get; init; } = double.NaN;
    [CsvColumn("ratio_max", Optional = true)] public double RatioMax { get; init; } = double.NaN;
    [CsvColumn("grad_norm", Optional = true)] public double GradNorm { get; init; } = double.NaN;
    [CsvColumn("lr", Optional = true)] public double LearningRate { get; init; } = double.NaN;
    [CsvColumn("seconds", Optional = true)] public double Seconds { get; init; } = double.NaN;
    [CsvColumn("images_per_s", Optional = true)] public double ImagesPerSecond { get; init; } = double.NaN;
    [CsvColumn("loss", Optional = true)] public double Loss { get; init; } = double.NaN;
    /// <summary>NaN when kl_beta is 0 (no reference pass).</summary>
    [CsvColumn("kl_to_reference", Optional = true)] public double KlToReference { get; init; } = double.NaN;
    [CsvColumn("optimizer_steps", Optional = true)] public int OptimizerSteps { get; init; }
    [CsvColumn("skipped_steps", Optional = true)] public int SkippedSteps { get; init; }
    [CsvColumn("rollout_seconds", Optional = true)] public double RolloutSeconds { get; init; } = double.NaN;

    /// <summary>The value of column <paramref name="column"/> (one of <see cref="TrainLog.Columns"/>).</summary>
    public double Value(string column) => column switch
    {
        "update" => Update,
        "reward_mean" => RewardMean,
        "reward_std" => RewardStd,
        "unsafe_rate" => UnsafeRate,
        "approx_kl" => ApproxKl,
        "clip_fraction" => ClipFraction,
        "ratio_mean" => RatioMean,
        "ratio_min" => RatioMin,
        "ratio_max" => RatioMax,
        "grad_norm" => GradNorm,
        "lr" => LearningRate,
        "seconds" => Seconds,
        "images_per_s" => ImagesPerSecond,
        "loss" => Loss,
        "kl_to_reference" => KlToReference,
        "optimizer_steps" => OptimizerSteps,
        "skipped_steps" => SkippedSteps,
        "rollout_seconds" => RolloutSeconds,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not a train_log.csv column"),
    };
}
