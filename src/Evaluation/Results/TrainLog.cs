using System.Globalization;
using Probe.Evaluation.Io;

namespace Probe.Evaluation.Results;

/// <summary>
/// train_log.csv of an attack run: one row per GRPO update with the trainer's statistics (update, reward_mean,
/// reward_std, unsafe_rate, approx_kl, clip_fraction, ratio_mean, ratio_min, ratio_max, grad_norm, lr, seconds,
/// images_per_s). Read back as named numeric columns for charts.
/// </summary>
public sealed class TrainLog
{
    public const string FileName = "train_log.csv";

    public static readonly IReadOnlyList<string> Columns =
    [
        "update", "reward_mean", "reward_std", "unsafe_rate", "approx_kl", "clip_fraction", "ratio_mean", "ratio_min",
        "ratio_max", "grad_norm", "lr", "seconds", "images_per_s",
    ];

    TrainLog(IReadOnlyDictionary<string, double[]> series) => Series = series;

    /// <summary>Each column's values in update order.</summary>
    public IReadOnlyDictionary<string, double[]> Series { get; }

    public int Updates => Series.TryGetValue("update", out var u) ? u.Length : 0;

    public static TrainLog Read(string path)
    {
        var (header, rows) = CsvTable.Read(path);
        if (!header.Contains("update") || !header.Contains("reward_mean"))
            throw new CsvFormatException(path, 1, "needs at least the columns update and reward_mean");
        var series = header.ToDictionary(h => h, _ => new double[rows.Count], StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Fields.Count != header.Count)
                throw new CsvFormatException(path, row.Line, $"has {row.Fields.Count} fields, the header has {header.Count}");
            for (var c = 0; c < header.Count; c++)
                series[header[c]][r] = row[c].Length == 0 ? double.NaN
                    : double.TryParse(row[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                    : throw new CsvFormatException(path, row.Line, $"{header[c]} '{row[c]}' is not a number");
        }
        return new TrainLog(series);
    }

    /// <summary>Rewrites the log with <paramref name="rows"/> (each row: values in <see cref="Columns"/> order).</summary>
    public static void Write(string path, IEnumerable<IReadOnlyList<double>> rows) =>
        CsvTable.Write(path, Columns, rows.Select(r => (IReadOnlyList<string>)r.Select(v => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture)).ToArray()));
}
