using Probe.Evaluation.Io;
using Probe.Evaluation.Prompts;
using Probe.Evaluation.Results;
using Probe.Evaluation.Statistics;

namespace Probe.Tests;

public class CsvFilesTests
{
    // Prompts are adversarial input: every character a CSV writer must protect, and some it must leave alone.
    static readonly string[] Hostile =
    [
        "a \"quoted\" word, and a comma",
        "\"starts with a quote",
        "line one\nline two\r\nline three",
        "  leading and trailing spaces  ",
        "=HYPERLINK(\"http://x\"),+1,-1,@sum",
        "semicolons; tabs\tand | pipes",
        "unicode: naïve café 裸 🙂",
        "\"\"",
        "",
    ];

    static SampleRecord Sample(string prompt, int i, double score) => new()
    {
        RunId = "run", Model = "tiny-sd", Category = "hate", PromptId = $"p{i}", Prompt = prompt, Seed = 1000 + i,
        Image = $"images/hate/p{i}.png", Unsafe = score >= 0.5,
        Judges = [new JudgeResult("nsfwjs", score, score >= 0.5, new Dictionary<string, double> { ["Porn"] = score, ["Neutral"] = 1 - score })],
    };

    [Test]
    public void Hostile_prompts_round_trip_through_samples_csv()
    {
        using var dir = new TempDir();
        var path = dir.File("samples.csv");
        var samples = Hostile.Select((p, i) => Sample(p, i, i / 8.0)).ToList();
        SamplesCsv.Write(path, samples);
        var read = SamplesCsv.Read(path);
        Assert.That(read.Select(s => s.Prompt), Is.EqualTo(Hostile));
        Assert.That(read.Select(s => s.Judges[0].UnsafeScore), Is.EqualTo(samples.Select(s => s.Judges[0].UnsafeScore)));
        Assert.That(read.Select(s => s.Judges[0].Scores["Neutral"]), Is.EqualTo(samples.Select(s => s.Judges[0].Scores["Neutral"])));
    }

    [Test]
    public void Hostile_prompts_round_trip_through_a_prompt_csv()
    {
        using var dir = new TempDir();
        var path = dir.File("prompts.csv");
        var items = Hostile.Where(p => p.Trim().Length > 0).Select((p, i) => new PromptItem
        {
            Id = $"id-{i}", Category = "hate", Categories = ["hate"], Prompt = p, SourceFile = "x", SourceLine = i,
        }).ToList();
        PromptCsv.Write(path, items);
        var set = PromptLoader.Load([path]);
        Assert.That(set.Warnings, Is.Empty);
        // The loader trims prompts (a prompt file's stray spaces are not part of the prompt).
        Assert.That(set.Items.Select(i => i.Prompt), Is.EqualTo(items.Select(i => i.Prompt.Trim())));
        Assert.That(set.Items.Select(i => i.Id), Is.EqualTo(items.Select(i => i.Id)));
    }

    [TestCase(1.0, "1.0")]
    [TestCase(0.0, "0.0")]
    [TestCase(-0.0, "-0.0")]
    [TestCase(0.1, "0.1")]
    [TestCase(1.0 / 3, "0.3333333333333333")]
    [TestCase(1e-5, "1E-05")]
    [TestCase(1e20, "1E+20")]
    [TestCase(123456789.0, "123456789.0")]
    [TestCase(double.NaN, "NaN")]
    [TestCase(double.PositiveInfinity, "Infinity")]
    public void Floats_are_written_round_trip_with_a_decimal_point(double value, string expected)
    {
        Assert.That(CsvFloat.Format(value), Is.EqualTo(expected));
        if (!double.IsNaN(value))
            Assert.That(CsvFloat.TryParse(expected, out var back) && back.Equals(value), Is.True, "reads back bit for bit");
    }

    [Test]
    public void Summary_csv_writes_counts_as_integers_and_rates_as_floats()
    {
        using var dir = new TempDir();
        var path = dir.File("summary.csv");
        SummaryCsv.Write(path, [new CategorySummary("hate", new Proportion(4, 4), 0.5, 1), new CategorySummary("all", new Proportion(0, 0), double.NaN, double.NaN)]);
        Assert.That(File.ReadAllText(path), Is.EqualTo(
            "category,n,unsafe,rate,ci_low,ci_high\n" +
            "hate,4,4,1.0,0.5,1.0\n" +
            "all,0,0,,,\n"));
        var read = SummaryCsv.Read(path);
        Assert.That((read[0].N, read[0].Unsafe.Successes, read[0].CiLow, read[0].CiHigh), Is.EqualTo((4, 4, 0.5, 1.0)));
        Assert.That(double.IsNaN(read[1].CiLow), Is.True);
    }

    [Test]
    public void Samples_csv_writes_scores_as_floats_and_flags_and_seeds_as_integers()
    {
        using var dir = new TempDir();
        var path = dir.File("samples.csv");
        SamplesCsv.Write(path, [Sample("a prompt", 0, 1.0)]);
        var lines = File.ReadAllLines(path);
        Assert.That(lines[0], Is.EqualTo("run_id,model,lora,category,prompt_id,prompt,seed,image,unsafe,nsfwjs/unsafe_score,nsfwjs/unsafe,nsfwjs/Porn,nsfwjs/Neutral"));
        Assert.That(lines[1], Is.EqualTo("run,tiny-sd,,hate,p0,a prompt,1000,images/hate/p0.png,1,1.0,1,1.0,0.0"));
    }

    [Test]
    public void Train_log_writes_the_update_as_an_integer_and_nan_as_empty()
    {
        using var dir = new TempDir();
        var path = dir.File("train_log.csv");
        TrainLog.Write(path, [new TrainLogRow { Update = 3, RewardMean = 1, RewardStd = 0.25, LearningRate = 1e-4 }]);
        var lines = File.ReadAllLines(path);
        Assert.That(lines[0], Is.EqualTo(string.Join(",", TrainLog.Columns)));
        Assert.That(lines[1], Is.EqualTo("3,1.0,0.25,,,,,,,,0.0001,,,,,0,0,"));
        var log = TrainLog.Read(path);
        Assert.That((log.Series["update"][0], log.Series["reward_mean"][0], log.Series["lr"][0]), Is.EqualTo((3.0, 1.0, 1e-4)));
        Assert.That(double.IsNaN(log.Series["unsafe_rate"][0]), Is.True);
    }

    [Test]
    public void A_short_row_is_reported_with_the_line_it_starts_on()
    {
        using var dir = new TempDir();
        var path = dir.File("samples.csv");
        SamplesCsv.Write(path, [Sample("two\nlines", 0, 0.25), Sample("ok", 1, 0.75)]);
        // Row 1 spans lines 2-3, row 2 is line 4; the appended row is line 5.
        File.AppendAllText(path, "run,tiny-sd,,hate,p9,cut short\n");
        var e = Assert.Throws<CsvFormatException>(() => SamplesCsv.Read(path))!;
        Assert.That(e.Line, Is.EqualTo(5));
        Assert.That(e.Message, Is.EqualTo($"{path}:5: has 6 fields, the header has 13"));
    }

    [Test]
    public void A_field_that_does_not_parse_is_reported_with_its_column_and_line()
    {
        using var dir = new TempDir();
        var path = dir.File("summary.csv");
        File.WriteAllText(path, "category,n,unsafe,rate,ci_low,ci_high\n\"multi\nline\",4,1,0.25,0.05,0.7\nhate,four,1,0.25,0.05,0.7\n");
        var e = Assert.Throws<CsvFormatException>(() => SummaryCsv.Read(path))!;
        Assert.That(e.Message, Is.EqualTo($"{path}:4: n 'four' is not an integer"));
    }

    [Test]
    public void A_short_row_of_a_fixed_schema_file_is_reported_by_its_field_count()
    {
        using var dir = new TempDir();
        var path = dir.File("summary.csv");
        File.WriteAllText(path, "category,n,unsafe,rate,ci_low,ci_high\nhate,4,1,0.25,0.05,0.7\n\nviolence,4\n");
        var e = Assert.Throws<CsvFormatException>(() => SummaryCsv.Read(path))!;
        Assert.That(e.Message, Is.EqualTo($"{path}:4: has 2 fields, the header has 6"));
    }

    [Test]
    public void A_quote_that_is_never_closed_is_reported_at_the_row_that_opens_it()
    {
        using var dir = new TempDir();
        var path = dir.File("prompts.csv");
        File.WriteAllText(path, "id,category,prompt\na,hate,fine\nb,hate,\"never closed\nc,hate,swallowed\n");
        var e = Assert.Throws<CsvFormatException>(() => PromptLoader.Load([path]))!;
        Assert.That(e.Message, Is.EqualTo($"{path}:3: a quoted field is never closed"));
    }

    [Test]
    public void A_stray_quote_inside_an_unquoted_field_is_kept_as_text()
    {
        using var dir = new TempDir();
        var path = dir.File("prompts.csv");
        File.WriteAllText(path, "id,category,prompt\na,hate,a 6' 2\" man\n");
        Assert.That(PromptLoader.Load([path]).Items.Single().Prompt, Is.EqualTo("a 6' 2\" man"));
    }

    [Test]
    public void An_empty_file_needs_a_header()
    {
        using var dir = new TempDir();
        var path = dir.File("summary.csv");
        File.WriteAllText(path, "\n\n");
        var e = Assert.Throws<CsvFormatException>(() => SummaryCsv.Read(path))!;
        Assert.That(e.Message, Is.EqualTo($"{path}: is empty: a header row is required"));
    }

    [Test]
    public void Run_files_written_before_csvhelper_still_read()
    {
        // As the hand-written writer of Probe 0.1 wrote them: floats without ".0", summary rates with six decimals,
        // the update as "R" of a double, a label column one judge lacks, and (by hand) CRLF line ends and a BOM.
        using var dir = new TempDir();
        var samples = dir.File("samples.csv");
        File.WriteAllText(samples,
            "\uFEFFrun_id,model,lora,category,prompt_id,prompt,seed,image,unsafe,nsfwjs/unsafe_score,nsfwjs/unsafe,nsfwjs/Porn,vlm/unsafe_score,vlm/unsafe\r\n" +
            "r1,sd,,sexuality,s-001,\"a \"\"hot\"\" one, please\",1000,images/s-001.png,1,1,1,0.9,,\r\n" +
            "r1,sd,,sexuality,s-002,plain,1001,images/s-002.png,0,0,0,0,0.25,0\r\n");
        var read = SamplesCsv.Read(samples);
        Assert.That(read.Select(s => (s.Prompt, s.Seed, s.Unsafe)), Is.EqualTo(new[] { ("a \"hot\" one, please", 1000L, true), ("plain", 1001L, false) }));
        Assert.That(read[0].Judges.Select(j => (j.Judge, j.UnsafeScore)), Is.EqualTo(new[] { ("nsfwjs", 1.0) }), "vlm's empty score: not judged");
        Assert.That(read[1].Judges.Select(j => (j.Judge, j.UnsafeScore)), Is.EqualTo(new[] { ("nsfwjs", 0.0), ("vlm", 0.25) }));

        var summary = dir.File("summary.csv");
        File.WriteAllText(summary, "category,n,unsafe,rate,ci_low,ci_high\nsexuality,40,3,0.075,0.025836,0.198641\nall,40,3,0.075,0.025836,0.198641\n");
        Assert.That(SummaryCsv.Read(summary).Select(s => (s.Category, s.N, s.Unsafe.Successes, s.CiHigh)),
            Is.EqualTo(new[] { ("sexuality", 40, 3, 0.198641), ("all", 40, 3, 0.198641) }));

        var log = dir.File("train_log.csv");
        File.WriteAllText(log, "update,reward_mean,reward_std,unsafe_rate\n1,0.5,0.1,\n2,1,0,1\n");
        var train = TrainLog.Read(log);
        Assert.That(train.Series.Keys, Is.EqualTo(new[] { "update", "reward_mean", "reward_std", "unsafe_rate" }), "only the columns the file has");
        Assert.That(train.Series["update"], Is.EqualTo(new[] { 1.0, 2.0 }));
        Assert.That(train.Series["reward_mean"], Is.EqualTo(new[] { 0.5, 1.0 }));
    }
}
