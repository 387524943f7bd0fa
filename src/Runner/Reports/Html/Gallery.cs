using System.Globalization;
using System.Text;
using Probe.Evaluation.Results;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// The gallery: images grouped by category, then prompt, then seed, with one column per run so the same prompt and
/// seed sit side by side (before/after when two runs are given). Every cell carries its identity and scores in data
/// attributes for report.js (filters, blur, review labels); every string from the runs is escaped here.
/// </summary>
public static class Gallery
{
    /// <param name="runLabels">Column captions, e.g. "before" and "after".</param>
    /// <param name="judges">Judge names across the runs; a cell's scores are listed in this order.</param>
    public static string Render(IReadOnlyList<RunFolder> runs, IReadOnlyList<string> runLabels, IReadOnlyList<string> judges, ReportImages images)
    {
        var sb = new StringBuilder();
        var categories = runs.SelectMany(r => r.Samples).Select(s => s.Category).Distinct(StringComparer.Ordinal).ToList();
        // One pass over the samples, not one per prompt: runs have tens of thousands of them.
        var byPrompt = runs.Select(r => r.Samples.ToLookup(s => (s.Category, s.PromptId))).ToList();
        sb.Append("<section id=\"gallery\"><h2>Gallery</h2>");
        Controls(sb, categories, judges);
        sb.Append($"<div class=\"gallery\" data-columns=\"{runs.Count}\">");
        foreach (var category in categories)
        {
            sb.Append($"<section class=\"category\" data-category=\"{Html.Attr(category)}\"><h3>{Html.Text(category)}</h3>");
            var prompts = runs.SelectMany(r => r.Samples).Where(s => s.Category == category).Select(s => s.PromptId).Distinct(StringComparer.Ordinal);
            foreach (var promptId in prompts)
                Prompt(sb, byPrompt.Select(l => l[(category, promptId)].ToList()).ToList(), runLabels, judges, images, promptId);
            sb.Append("</section>");
        }
        sb.Append("</div></section>");
        return sb.ToString();
    }

    static void Controls(StringBuilder sb, IReadOnlyList<string> categories, IReadOnlyList<string> judges)
    {
        sb.Append("<div id=\"filters\" class=\"controls\">");
        sb.Append("<label>Category <select id=\"filter-category\"><option value=\"\">all</option>");
        foreach (var c in categories) sb.Append($"<option value=\"{Html.Attr(c)}\">{Html.Text(c)}</option>");
        sb.Append("</select></label>");
        sb.Append("<label>Judge <select id=\"filter-judge\"><option value=\"\">combined (highest score)</option>");
        for (var j = 0; j < judges.Count; j++) sb.Append($"<option value=\"{j}\">{Html.Text(judges[j])}</option>");
        sb.Append("</select></label>");
        sb.Append("<label>Score from <input id=\"filter-min\" type=\"number\" min=\"0\" max=\"1\" step=\"0.05\" value=\"0\"></label>");
        sb.Append("<label>to <input id=\"filter-max\" type=\"number\" min=\"0\" max=\"1\" step=\"0.05\" value=\"1\"></label>");
        sb.Append("<label>Verdict <select id=\"filter-verdict\"><option value=\"\">any</option><option value=\"unsafe\">unsafe</option><option value=\"safe\">safe</option></select></label>");
        sb.Append("<label><input id=\"blur-unsafe\" type=\"checkbox\" checked> blur unsafe images</label>");
        sb.Append("<label><input id=\"review-mode\" type=\"checkbox\"> review mode</label>");
        sb.Append("<button id=\"export-labels\" type=\"button\">export labels.csv</button>");
        sb.Append("<button id=\"clear-labels\" type=\"button\">clear labels</button>");
        sb.Append("<span id=\"counter\" aria-live=\"polite\"></span>");
        sb.Append("</div>");
        sb.Append("<p class=\"hint\">Images a judge flagged are blurred: click one to show or hide it. The score filter uses the chosen judge's unsafe score " +
                  "(combined: the highest of the judges'). A prompt row stays visible while any of its images matches; the others are dimmed. " +
                  "Review mode records your safe/unsafe label per image in this browser (localStorage) until you export labels.csv.</p>");
    }

    /// <param name="perRun">This prompt's samples in each run (empty where a run lacks it).</param>
    static void Prompt(StringBuilder sb, IReadOnlyList<List<SampleRecord>> perRun, IReadOnlyList<string> runLabels, IReadOnlyList<string> judges,
        ReportImages images, string promptId)
    {
        var texts = perRun.Select(list => list.FirstOrDefault()?.Prompt).ToList();
        var first = texts.First(t => t is not null)!;
        sb.Append($"<article class=\"prompt\" data-prompt-id=\"{Html.Attr(promptId)}\"><header><code class=\"prompt-id\">{Html.Text(promptId)}</code> ");
        sb.Append($"<span class=\"prompt-text\">{Html.Text(first)}</span></header>");
        for (var r = 0; r < perRun.Count; r++)
            if (texts[r] is { } text && text != first)
                sb.Append($"<p class=\"prompt-variant\">{Html.Text(runLabels[r])} used a different text: <span class=\"prompt-text\">{Html.Text(text)}</span></p>");

        var seeds = perRun.SelectMany(l => l).Select(s => s.Seed).Distinct().ToList();
        if (perRun.Count == 1)
        {
            // Nothing to line up: the prompt's images flow in one row.
            sb.Append("<div class=\"row\">");
            foreach (var sample in perRun[0]) Cell(sb, 0, runLabels[0], judges, images, sample);
            sb.Append("</div></article>");
            return;
        }
        foreach (var seed in seeds)
        {
            sb.Append($"<div class=\"row\" data-seed=\"{seed.ToString(CultureInfo.InvariantCulture)}\">");
            for (var r = 0; r < perRun.Count; r++)
            {
                var sample = perRun[r].FirstOrDefault(s => s.Seed == seed);
                if (sample is null)
                    sb.Append($"<figure class=\"cell empty\" data-run-index=\"{r}\"><figcaption>{Html.Text(runLabels[r])}</figcaption><p class=\"missing\">no sample for this seed</p></figure>");
                else
                    Cell(sb, r, runLabels[r], judges, images, sample);
            }
            sb.Append("</div>");
        }
        sb.Append("</article>");
    }

    static void Cell(StringBuilder sb, int run, string runLabel, IReadOnlyList<string> judges, ReportImages images, SampleRecord s)
    {
        var results = judges.Select(j => s.Judges.FirstOrDefault(r => r.Judge == j)).ToList();
        var flagged = s.Unsafe || results.Any(r => r?.IsUnsafe == true);
        var scores = string.Join(' ', results.Select(r => r is null ? "-" : r.UnsafeScore.ToString("G6", CultureInfo.InvariantCulture)));
        var flags = string.Join(' ', results.Select(r => r is null ? "-" : r.IsUnsafe ? "1" : "0"));
        var seed = s.Seed.ToString(CultureInfo.InvariantCulture);
        sb.Append($"<figure class=\"cell{(flagged ? " unsafe blurred" : "")}\" data-run-index=\"{run}\" data-run-id=\"{Html.Attr(s.RunId)}\" ");
        sb.Append($"data-category=\"{Html.Attr(s.Category)}\" data-prompt-id=\"{Html.Attr(s.PromptId)}\" data-seed=\"{seed}\" data-image=\"{Html.Attr(s.Image)}\" ");
        sb.Append($"data-unsafe=\"{(s.Unsafe ? 1 : 0)}\" data-scores=\"{scores}\" data-flags=\"{flags}\">");
        sb.Append($"<figcaption>{Html.Text(runLabel)} · seed {seed}{(s.Unsafe ? " · <strong class=\"verdict\">unsafe</strong>" : " · <span class=\"verdict\">safe</span>")}</figcaption>");
        if (images.AnswerOf(s) is { } answer)
        {
            // Collapsed and escaped: answers to harmful requests are read on purpose, not at a glance.
            var firstLine = answer.ReplaceLineEndings(" ").Trim();
            if (firstLine.Length > 120) firstLine = firstLine[..120] + "…";
            sb.Append($"<details class=\"answer\"><summary>{Html.Text(firstLine.Length == 0 ? "(empty answer)" : firstLine)}</summary><pre>{Html.Text(answer)}</pre></details>");
        }
        else if (images.TargetOf(s) is { } src)
            sb.Append($"<button type=\"button\" class=\"thumb\" title=\"click to show or blur\"><img src=\"{Html.Attr(src)}\" alt=\"{Html.Attr($"{runLabel}, {s.PromptId}, seed {seed}")}\" loading=\"lazy\"></button>");
        else
            sb.Append("<p class=\"missing\">image not available</p>");
        sb.Append("<ul class=\"scores\">");
        for (var j = 0; j < judges.Count; j++)
            if (results[j] is { } r)
                sb.Append($"<li{(r.IsUnsafe ? " class=\"flag\"" : "")}>{Html.Text(judges[j])} <span class=\"score\">{r.UnsafeScore.ToString("0.000", CultureInfo.InvariantCulture)}</span>{(r.IsUnsafe ? " unsafe" : "")}</li>");
        sb.Append("</ul>");
        sb.Append("<div class=\"review\"><button type=\"button\" data-label=\"safe\">safe</button><button type=\"button\" data-label=\"unsafe\">unsafe</button></div>");
        sb.Append("</figure>");
    }
}
