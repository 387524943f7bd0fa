using Microsoft.Playwright;
using Probe.Runner.Cli;

namespace Probe.Tests.Reports;

/// <summary>
/// The HTML report in real headless Chromium, opened from file:// like a user would: it loads offline without console
/// errors, filters, blurs, records and exports review labels, shows two runs side by side, and never runs a prompt.
/// </summary>
[NonParallelizable]
public class ReportBrowserTests
{
    const string Script = "<script>window.__pwned=1</script>";
    const string ImgTag = "<img src=x onerror=\"window.__pwned=1\">";
    static readonly string Adversarial = $"{Script} then {ImgTag} & \"quotes\" — naïve 日本語";

    TempDir _dir = null!;
    IPlaywright _playwright = null!;
    IBrowser _browser = null!;
    string _single = null!, _pair = null!;

    [OneTimeSetUp]
    public async Task BuildReportsAndLaunchChromium()
    {
        _dir = new TempDir("probe-report-test");
        var before = new TestRun(_dir.Path, "base").AddCategory("sexual", 4, 1, prompts: 2).AddCategory("violence", 4, 0, prompts: 2)
            .Add("hate", "evil", Adversarial, 7, false, score: 0.3);
        before.Write();
        var after = new TestRun(_dir.Path, "attacked", "attack").Attacked("sexual").AddCategory("sexual", 4, 3, prompts: 2).AddCategory("violence", 4, 1, prompts: 2)
            .Add("hate", "evil", Adversarial, 7, true, score: 0.7);
        for (var i = 0; i < 10; i++) after.Log(i, 0.1 * i, 0.05);
        after.Write();

        _single = Path.Combine(_dir.Path, "single");
        _pair = Path.Combine(_dir.Path, "pair");
        foreach (var (args, outDir) in new[] { (new[] { after.Path }, _single), ([before.Path, after.Path], _pair) })
        {
            var (code, _, error) = await CliRun.Probe(["report", .. args, "--out", outDir]);
            Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        }
        (_playwright, _browser) = await Chromium.LaunchAsync(_dir.Path);
    }

    [OneTimeTearDown]
    public async Task Close()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        _dir?.Dispose();
    }

    /// <summary>A fresh context (own localStorage) with the report open; console errors and every request are recorded.</summary>
    async Task<Opened> Open(string report)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true });
        var page = await context.NewPageAsync();
        var opened = new Opened(context, page);
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning") opened.Errors.Add($"{m.Type}: {m.Text}");
        };
        page.PageError += (_, e) => opened.Errors.Add("page error: " + e);
        page.Request += (_, r) => opened.Requests.Add(r.Url);
        await page.GotoAsync(new Uri(Path.Combine(report, "index.html")).AbsoluteUri);
        await page.WaitForFunctionAsync("() => document.getElementById('counter').textContent.length > 0");
        return opened;
    }

    sealed record Opened(IBrowserContext Context, IPage Page) : IAsyncDisposable
    {
        public List<string> Errors { get; } = [];
        public List<string> Requests { get; } = [];

        public async ValueTask DisposeAsync() => await Context.CloseAsync();

        /// <summary>Images the user can see now: shown (not in a hidden row, prompt or category) and not dimmed by a filter.</summary>
        public Task<int> VisibleCells() => Page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('.cell[data-image]')].filter(c => c.offsetParent !== null && !c.classList.contains('filtered-out')).length");
    }

    [Test]
    public async Task Loads_from_file_without_console_errors_or_network()
    {
        await using var o = await Open(_single);
        Assert.That(await o.Page.TitleAsync(), Is.EqualTo("Probe report: attacked"));
        Assert.That(await o.Page.TextContentAsync("#counter"), Is.EqualTo("showing 9 of 9 images"));
        Assert.That(await o.Page.Locator("svg.rate-chart").CountAsync(), Is.EqualTo(1));
        Assert.That(await o.Page.Locator("svg.reward-chart polyline.reward-line").CountAsync(), Is.EqualTo(1), "the attack run's reward curve");
        Assert.That(await o.Page.Locator("svg.reward-chart polyline.unsafe-line").CountAsync(), Is.EqualTo(1), "and its unsafe rate per update");
        // Images load lazily: bring them all near the viewport, then every copied image must decode under the CSP.
        await o.Page.EvaluateAsync("() => window.scrollTo(0, document.body.scrollHeight)");
        await o.Page.WaitForFunctionAsync("() => [...document.images].every(i => i.complete)", null, new PageWaitForFunctionOptions { Timeout = 10_000 });
        Assert.That(await o.Page.EvaluateAsync<int>("() => [...document.images].filter(i => i.naturalWidth === 8).length"),
            Is.EqualTo(await o.Page.Locator(".cell img").CountAsync()), "every copied image loads under the CSP");
        Assert.That(o.Requests, Is.Not.Empty);
        Assert.That(o.Requests.Where(u => !u.StartsWith("file://", StringComparison.Ordinal)), Is.Empty, "nothing but the report's own files");
        Assert.That(o.Errors, Is.Empty);
    }

    [Test]
    public async Task Category_filter_hides_the_other_categories()
    {
        await using var o = await Open(_single);
        await o.Page.SelectOptionAsync("#filter-category", "violence");
        Assert.That(await o.Page.Locator("section.category[data-category=violence]").IsVisibleAsync(), Is.True);
        Assert.That(await o.Page.Locator("section.category[data-category=sexual]").IsHiddenAsync(), Is.True);
        Assert.That(await o.Page.Locator("section.category[data-category=hate]").IsHiddenAsync(), Is.True);
        Assert.That(await o.VisibleCells(), Is.EqualTo(4));
        Assert.That(await o.Page.TextContentAsync("#counter"), Is.EqualTo("showing 4 of 9 images"));
        await o.Page.SelectOptionAsync("#filter-category", "");
        Assert.That(await o.VisibleCells(), Is.EqualTo(9));
        Assert.That(o.Errors, Is.Empty);
    }

    [Test]
    public async Task Score_filter_keeps_images_whose_judge_score_is_in_range()
    {
        await using var o = await Open(_single);
        // Scores in the attacked run: 0.9 × 4 (3 sexual + 1 violence unsafe), 0.1 × 4, and 0.7 for the hate prompt.
        await o.Page.SelectOptionAsync("#filter-judge", "0");
        await o.Page.FillAsync("#filter-min", "0.5");
        Assert.That(await o.VisibleCells(), Is.EqualTo(5));
        await o.Page.FillAsync("#filter-max", "0.8");
        Assert.That(await o.VisibleCells(), Is.EqualTo(1));
        Assert.That(await o.Page.Locator(".cell:not(.filtered-out) .prompt-text, section.category:not([hidden]) .prompt:not([hidden]) .prompt-text").First.TextContentAsync(),
            Is.EqualTo(Adversarial));
        await o.Page.FillAsync("#filter-min", "0");
        await o.Page.FillAsync("#filter-max", "0.2");
        Assert.That(await o.VisibleCells(), Is.EqualTo(4));
        await o.Page.FillAsync("#filter-max", "1");
        await o.Page.SelectOptionAsync("#filter-verdict", "safe");
        Assert.That(await o.VisibleCells(), Is.EqualTo(4));
        Assert.That(o.Errors, Is.Empty);
    }

    [Test]
    public async Task Flagged_images_are_blurred_until_clicked()
    {
        await using var o = await Open(_single);
        var flagged = o.Page.Locator(".cell.unsafe").First;
        var image = flagged.Locator("img");
        Assert.That(await flagged.GetAttributeAsync("class"), Does.Contain("blurred"));
        Assert.That(await image.EvaluateAsync<string>("i => getComputedStyle(i).filter"), Does.Contain("blur("));
        await flagged.Locator("button.thumb").ClickAsync();
        Assert.That(await image.EvaluateAsync<string>("i => getComputedStyle(i).filter"), Is.EqualTo("none"));
        await flagged.Locator("button.thumb").ClickAsync();
        Assert.That(await image.EvaluateAsync<string>("i => getComputedStyle(i).filter"), Does.Contain("blur("));

        var safe = o.Page.Locator(".cell[data-image]:not(.unsafe) img").First;
        Assert.That(await safe.EvaluateAsync<string>("i => getComputedStyle(i).filter"), Is.EqualTo("none"), "safe images are never blurred");
        await o.Page.Locator("#blur-unsafe").UncheckAsync();
        Assert.That(await o.Page.Locator(".cell.blurred").CountAsync(), Is.Zero);
        Assert.That(o.Errors, Is.Empty);
    }

    [Test]
    public async Task A_prompt_with_markup_is_shown_as_text_and_never_runs()
    {
        await using var o = await Open(_pair);
        Assert.That(await o.Page.EvaluateAsync<bool>("() => window.__pwned === undefined"), Is.True);
        var text = o.Page.Locator("article.prompt[data-prompt-id=evil] .prompt-text");
        Assert.That(await text.TextContentAsync(), Is.EqualTo(Adversarial));
        Assert.That(await text.IsVisibleAsync(), Is.True);
        Assert.That(await o.Page.Locator("article.prompt[data-prompt-id=evil] .prompt-text script, img[src=x]").CountAsync(), Is.Zero, "no element was created from the prompt");
        Assert.That(o.Errors, Is.Empty);
    }

    [Test]
    public async Task The_policy_blocks_scripts_that_are_not_the_reports_own()
    {
        await using var o = await Open(_single);
        var csp = await o.Page.Locator("meta[http-equiv=Content-Security-Policy]").GetAttributeAsync("content");
        Assert.That(csp, Does.StartWith("default-src 'none'; img-src 'self'; style-src 'sha256-").And.Contain("script-src 'sha256-"));
        await o.Page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }");
        await o.Page.EvaluateAsync("() => { const d = document.createElement('div'); d.innerHTML = '<img src=x onerror=\"window.__injected = 2\">'; document.body.appendChild(d); }");
        await o.Page.WaitForTimeoutAsync(200);
        Assert.That(await o.Page.EvaluateAsync<bool>("() => window.__injected === undefined"), Is.True);
        Assert.That(o.Errors, Has.Some.Contains("Content Security Policy"), "Chromium reports the refused script");
    }

    [Test]
    public async Task Review_labels_persist_and_export_as_labels_csv()
    {
        await using var o = await Open(_pair);
        await o.Page.Locator("#review-mode").CheckAsync();
        var cells = o.Page.Locator(".cell[data-image]");
        await cells.Nth(0).Locator(".review button[data-label=unsafe]").ClickAsync();
        await cells.Nth(1).Locator(".review button[data-label=safe]").ClickAsync();
        var evil = o.Page.Locator(".cell[data-prompt-id=evil][data-run-index='1']");
        await evil.Locator(".review button[data-label=unsafe]").ClickAsync();

        await o.Page.ReloadAsync();
        Assert.That(await cells.Nth(0).GetAttributeAsync("data-label"), Is.EqualTo("unsafe"), "labels survive a reload (localStorage)");

        var download = await o.Page.RunAndWaitForDownloadAsync(() => o.Page.ClickAsync("#export-labels"));
        Assert.That(download.SuggestedFilename, Is.EqualTo("labels.csv"));
        var path = Path.Combine(_dir.Path, "labels-download.csv");
        await download.SaveAsAsync(path);
        Assert.That(await File.ReadAllTextAsync(path), Is.EqualTo(
            "run_id,category,prompt_id,seed,image,label\n" +
            "base,sexual,sexual-00,1000,images/sexual/sexual-00-1000.png,unsafe\n" +
            "attacked,sexual,sexual-00,1000,images/sexual/sexual-00-1000.png,safe\n" +
            "attacked,hate,evil,7,images/hate/evil-7.png,unsafe\n"));

        // The export is what probe agreement reads.
        var (code, output, error) = await CliRun.Probe("agreement", Path.Combine(_dir.Path, "attacked"), path);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(output, Does.Contain("2 sample(s) labelled, 0 row(s) skipped, 1 row(s) for other runs (base)"));
        Assert.That(o.Errors, Is.Empty);
    }

    [Test]
    public async Task Two_runs_show_the_same_prompt_and_seed_side_by_side()
    {
        await using var o = await Open(_pair);
        var row = o.Page.Locator("article.prompt[data-prompt-id=sexual-01] .row[data-seed='1001']");
        var before = row.Locator(".cell[data-run-index='0']");
        var after = row.Locator(".cell[data-run-index='1']");
        Assert.That(await before.Locator("figcaption").TextContentAsync(), Does.StartWith("before: base · seed 1001"));
        Assert.That(await after.Locator("figcaption").TextContentAsync(), Does.StartWith("after: attacked · seed 1001"));
        var (b, a) = (await before.BoundingBoxAsync(), await after.BoundingBoxAsync());
        Assert.That(a!.Y, Is.EqualTo(b!.Y).Within(1), "same line");
        Assert.That(a.X, Is.GreaterThan(b.X + b.Width - 1), "after to the right of before");
        Assert.That(await before.GetAttributeAsync("class"), Does.Not.Contain("unsafe"));
        Assert.That(await after.GetAttributeAsync("class"), Does.Contain("unsafe"));
        Assert.That(await o.Page.Locator("#comparison table tbody tr").CountAsync(), Is.EqualTo(4), "three categories and all");
        Assert.That(o.Errors, Is.Empty);
    }

    [Test]
    public async Task Chart_labels_neither_overlap_nor_leave_their_chart_in_chromiums_layout()
    {
        // Long and wide names, CJK, three runs, big counts and large, odd-stepped training values: the worst a chart gets.
        using var dir = new TempDir("probe-report-labels");
        string[] categories = ["sexual", "violence-graphic-and-gore-including-very-long-descriptive-suffix", "日本語のとても長いカテゴリ名です", "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"];
        var runs = new List<string>();
        for (var r = 0; r < 3; r++)
        {
            var run = new TestRun(dir.Path, $"attacked-model-with-a-long-run-identifier-MMMM-{r}", r == 2 ? "attack" : "eval").WithoutImages();
            foreach (var c in categories) run.AddCategory(c, 200, 199 - r, prompts: 2);
            if (r == 2)
                for (var i = 0; i < 40; i++) run.Log(i * 1000, -12345.678 + i * 700.3, 150.25);
            runs.Add(run.Write());
        }
        var outDir = Path.Combine(dir.Path, "report");
        var (code, _, error) = await CliRun.Probe(["report", .. runs, "--out", outDir]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);

        await using var o = await Open(outDir);
        Assert.That(await o.Page.Locator("svg.chart").CountAsync(), Is.EqualTo(2), "the rate chart and the reward chart");
        var problems = await o.Page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
              const frame = svg.getBoundingClientRect();
              const boxes = [...svg.querySelectorAll('text')].map(t => ({ text: t.textContent, r: t.getBoundingClientRect() }));
              const name = svg.classList[1], problems = [];
              for (const b of boxes)
                if (b.r.left < frame.left - 0.5 || b.r.right > frame.right + 0.5 || b.r.top < frame.top - 0.5 || b.r.bottom > frame.bottom + 0.5)
                  problems.push(`${name}: '${b.text}' leaves the chart`);
              for (let i = 0; i < boxes.length; i++)
                for (let j = i + 1; j < boxes.length; j++) {
                  const [a, b] = [boxes[i].r, boxes[j].r];
                  if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
                    problems.push(`${name}: '${boxes[i].text}' overlaps '${boxes[j].text}'`);
                }
              return problems;
            })
            """);
        Assert.That(await o.Page.Locator("svg.chart text").CountAsync(), Is.GreaterThan(40), "the labels are there to check");
        Assert.That(problems, Is.Empty);
        Assert.That(o.Errors, Is.Empty);
    }
}
