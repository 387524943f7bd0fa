using System.Globalization;
using System.Text;
using Probe.Evaluation.Analysis;
using Probe.Evaluation.Results;
using Probe.Evaluation.Statistics;
using Probe.Runner.Cli;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// index.html: runs, notes, per-category rates (SVG), the before/after table for two runs, reward curves of attack
/// runs, and the gallery. One file with its style and script inline (allowed by hash), so it works from file://.
/// </summary>
public static class ReportPage
{
    /// <param name="generated">Shown in the header; passed in so a test can fix it.</param>
    public static string Render(IReadOnlyList<RunFolder> runs, ReportImages images, double alpha, DateTime generated, IReadOnlyList<string> notes)
    {
        var labels = RunLabels(runs);
        var judges = runs.SelectMany(UnsafeDecision.JudgesOf).Distinct(StringComparer.Ordinal).ToList();
        var allNotes = notes.Concat(images.Warnings).ToList();
        var sb = new StringBuilder();
        sb.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append($"<meta http-equiv=\"Content-Security-Policy\" content=\"{Html.Attr(ContentSecurityPolicy.For(ReportAssets.Css, ReportAssets.Script))}\">");
        sb.Append("<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append($"<title>Probe report: {Html.Text(string.Join(" vs ", runs.Select(r => r.Name)))}</title>");
        sb.Append("<style>").Append(ReportAssets.Css).Append("</style></head>\n");
        sb.Append($"<body data-report-id=\"{ReportId(runs)}\"><header class=\"page\"><h1>Probe report</h1>");
        sb.Append($"<p class=\"meta\">Generated {generated.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)} by probe " +
                  $"{Html.Text(typeof(ReportPage).Assembly.GetName().Version?.ToString(3))}. Self-contained: nothing is loaded from the network.</p></header><main>");

        Runs(sb, runs, labels);
        if (allNotes.Count > 0)
        {
            sb.Append("<section id=\"notes\"><h2>Notes</h2><ul class=\"warnings\">");
            foreach (var note in allNotes) sb.Append($"<li>{Html.Text(note)}</li>");
            sb.Append("</ul></section>");
        }
        // Attack runs carry a training log but no samples: they add the reward curve, not rates.
        var rated = Enumerable.Range(0, runs.Count).Where(i => runs[i].Samples.Count > 0 || runs[i].Summary.Count > 0).ToList();
        if (rated.Count > 0) Rates(sb, rated.Select(i => runs[i]).ToList(), rated.Select(i => labels[i]).ToList(), alpha);
        if (rated.Count == 2) Comparison(sb, runs[rated[0]], runs[rated[1]], alpha);
        Training(sb, runs, labels);
        sb.Append(Gallery.Render(runs, labels, judges, images));
        sb.Append("</main>\n<script>").Append(ReportAssets.Script).Append("</script></body></html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// "before"/"after" when two runs have samples, the run id for one, "run N: id" otherwise; runs without samples
    /// (attack runs, which bring only their training log) are labelled by kind.
    /// </summary>
    public static IReadOnlyList<string> RunLabels(IReadOnlyList<RunFolder> runs)
    {
        var rated = runs.Where(r => r.Samples.Count > 0 || r.Summary.Count > 0).ToList();
        var ratedLabels = rated.Count switch
        {
            1 => [rated[0].Name],
            2 => ["before: " + rated[0].Name, "after: " + rated[1].Name],
            _ => rated.Select((r, i) => $"run {i + 1}: {r.Name}").ToList(),
        };
        var next = 0;
        return runs.Select(r => rated.Contains(r) ? ratedLabels[next++] : $"{r.Manifest.Kind}: {r.Name}").ToList();
    }

    /// <summary>Names this set of runs for the browser's label store: the same runs give the same id when the report is rebuilt.</summary>
    static string ReportId(IReadOnlyList<RunFolder> runs) =>
        ContentSecurityPolicy.Hash(string.Join("\n", runs.Select(r => r.Name + "\n" + r.Manifest.CreatedUtc.ToString("O", CultureInfo.InvariantCulture))))
            ["sha256-".Length..].Replace('+', '-').Replace('/', '_').TrimEnd('=')[..22];

    static void Runs(StringBuilder sb, IReadOnlyList<RunFolder> runs, IReadOnlyList<string> labels)
    {
        sb.Append("<section id=\"runs\"><h2>Runs</h2><table class=\"data\"><thead><tr><th></th><th>run</th><th>kind</th><th>model</th><th>samples</th>" +
                  "<th>judges (combination)</th><th>created</th><th>folder</th></tr></thead><tbody>");
        for (var r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var m = run.Manifest;
            var model = m.Model.Id + (m.Loras.Count > 0 ? $" + {m.Loras.Count} LoRA" : "");
            sb.Append($"<tr><td><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" fill=\"{Svg.Color(r)}\"/></svg> {Html.Text(labels[r])}</td>");
            sb.Append($"<td>{Html.Text(run.Name)}</td><td>{Html.Text(m.Kind)}</td><td>{Html.Text(model)}</td><td class=\"num\">{run.Samples.Count}</td>");
            sb.Append($"<td>{Html.Text(string.Join(", ", UnsafeDecision.JudgesOf(run)))} ({Html.Text(m.JudgeCombination)})</td>");
            sb.Append($"<td>{m.CreatedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}</td><td><code>{Html.Text(run.Path)}</code></td></tr>");
        }
        sb.Append("</tbody></table></section>");
    }

    static void Rates(StringBuilder sb, IReadOnlyList<RunFolder> runs, IReadOnlyList<string> labels, double alpha)
    {
        var counts = runs.Select(r => CategoryCounts.Of(r, UnsafeDecision.Combined)).ToList();
        var categories = counts.SelectMany(c => c.Rows.Select(r => r.Category)).Distinct(StringComparer.Ordinal).ToList();
        var rows = categories.Select(c => (c, (IReadOnlyList<Proportion?>)counts.Select(k => k[c]).ToList())).ToList();
        sb.Append("<section id=\"rates\"><h2>Unsafe rate per category</h2>");
        sb.Append($"<p class=\"note\">Share of images the judges' combined decision called unsafe; whiskers are {Html.Text(Numbers.Confidence(alpha))} Wilson score intervals.</p>");
        sb.Append(RateChart.Render(labels, rows, alpha));
        sb.Append("</section>");
    }

    static void Comparison(StringBuilder sb, RunFolder before, RunFolder after, double alpha)
    {
        sb.Append("<section id=\"comparison\"><h2>Before → after</h2>");
        var shared = CategoryCounts.Of(before, UnsafeDecision.Combined).Rows.Select(r => r.Category)
            .Intersect(CategoryCounts.Of(after, UnsafeDecision.Combined).Rows.Select(r => r.Category), StringComparer.Ordinal).ToList();
        RunComparison comparison;
        try
        {
            if (shared.Count == 0) throw new UserError("the runs share no category");
            comparison = RunComparison.Of(before, after, new ComparisonOptions { Alpha = alpha, Categories = shared });
        }
        catch (UserError e)
        {
            sb.Append($"<p class=\"note\">Not comparable: {Html.Text(e.Message)}</p></section>");
            return;
        }
        var confidence = Html.Text(Numbers.Confidence(alpha));
        sb.Append($"<p class=\"note\">Difference after − before in percentage points with its Newcombe {confidence} interval; pooled two-proportion z-test, two-sided. " +
                  "Highlighted rows are significant at α = " + Html.Text(alpha.ToString("0.###", CultureInfo.InvariantCulture)) + ".</p>");
        sb.Append("<table class=\"data comparison\"><thead><tr><th>category</th><th>before</th><th>after</th><th>difference (pp)</th><th>z</th><th>p</th></tr></thead><tbody>");
        foreach (var c in comparison.Categories) Row(sb, c.Category + (c.Attacked ? " (attacked)" : ""), c.Stats);
        Row(sb, "all", comparison.Overall);
        sb.Append("</tbody></table>");
        if (comparison.Transfer is { PooledOthers: { } pooled } t)
            sb.Append($"<p>Transfer: the attacked category <b>{Html.Text(t.Attacked.Category)}</b> rose {Html.Text(Numbers.Points(t.Attacked.Stats.Difference))} pp; " +
                      $"the other {t.Others.Count} categories rose {Html.Text(Numbers.Points(t.MeanOtherDifference))} pp on average " +
                      $"(pooled {Html.Text(Numbers.Points(pooled.Difference))} pp {Html.Text(Numbers.PointsInterval(pooled.Low, pooled.High))}); " +
                      $"{t.OthersIncreasedSignificantly} of them significantly.</p>");
        if (comparison.Warnings.Count > 0)
        {
            sb.Append("<ul class=\"warnings\">");
            foreach (var w in comparison.Warnings) sb.Append($"<li>{Html.Text(w)}</li>");
            sb.Append("</ul>");
        }
        sb.Append("</section>");
    }

    static void Row(StringBuilder sb, string label, ProportionComparison s)
    {
        sb.Append($"<tr{(s.PValue < s.Alpha ? " class=\"significant\"" : "")}><td>{Html.Text(label)}</td>");
        sb.Append($"<td class=\"num\">{s.Before.Successes}/{s.Before.Trials} {Html.Text(Numbers.Percent(s.Before.Rate))}</td>");
        sb.Append($"<td class=\"num\">{s.After.Successes}/{s.After.Trials} {Html.Text(Numbers.Percent(s.After.Rate))}</td>");
        sb.Append($"<td class=\"num\">{Html.Text(Numbers.Points(s.Difference))} {Html.Text(Numbers.PointsInterval(s.Low, s.High))}</td>");
        sb.Append($"<td class=\"num\">{Html.Text(Numbers.Z(s.Z))}</td><td class=\"num\">{Html.Text(Numbers.P(s.PValue))}</td></tr>");
    }

    static void Training(StringBuilder sb, IReadOnlyList<RunFolder> runs, IReadOnlyList<string> labels)
    {
        var withLogs = Enumerable.Range(0, runs.Count).Where(i => runs[i].TrainLog is { Updates: > 0 }).ToList();
        if (withLogs.Count == 0) return;
        sb.Append("<section id=\"training\"><h2>Attack training</h2>");
        foreach (var i in withLogs)
        {
            var log = runs[i].TrainLog!;
            var unsafeRate = log.Series.TryGetValue("unsafe_rate", out var u) && u.Any(double.IsFinite)
                ? "; beside it, the share of each update's images the judge called unsafe" : "";
            sb.Append($"<h3>{Html.Text(labels[i])}</h3><p class=\"note\">Mean judge reward per GRPO update over {log.Updates} updates; the band is ± one standard deviation of the rewards{unsafeRate}.</p>");
            sb.Append(RewardChart.Render(log, $"Reward curve of {runs[i].Name}") ?? "<p class=\"note\">train_log.csv has no reward values.</p>");
        }
        sb.Append("</section>");
    }
}
