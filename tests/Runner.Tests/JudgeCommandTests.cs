
using Probe.Runner.Cli;

namespace Probe.Tests;

public class JudgeCommandTests
{
    static string NsfwjsImages => Path.Combine(Fixtures.Root, "nsfwjs", "images");

    [Test]
    public async Task Judges_every_image_with_every_judge_and_skips_unreadable_files()
    {
        using var dir = new TempDir();
        var folder = dir.File("images/x");
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        File.Copy(Path.Combine(NsfwjsImages, "chelsea.png"), dir.File("images/chelsea.png"));
        File.Copy(Path.Combine(NsfwjsImages, "coffee.png"), dir.File("images/nested/coffee.png"));
        File.WriteAllBytes(dir.File("images/broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var csv = dir.File("out.csv");

        var (code, stdout, stderr) = await CliRun.Probe("judge", Path.Combine(dir.Path, "images"), "--judge", "nsfwjs", "--judge", "nsfwjs:mobilenet_v2_mid@0.2", "--out", csv);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), stderr);
        Assert.That(stderr, Does.Contain("broken.png").And.Contain("skipped"));
        var (header, rows) = CsvTestFile.Read(csv);
        Assert.That(header.Take(7), Is.EqualTo(new[] { "image", "judge", "category", "unsafe_score", "unsafe", "threshold", "suggestive" }));
        Assert.That(header.Skip(7), Is.EqualTo(new[] { "Drawing", "Hentai", "Neutral", "Porn", "Sexy" }));
        Assert.That(rows, Has.Count.EqualTo(4), "2 readable images × 2 judges");
        var mid = rows.Single(r => r[0].EndsWith("chelsea.png", StringComparison.Ordinal) && r[1] == "nsfwjs:mobilenet_v2_mid");
        Assert.That(mid[5], Is.EqualTo("0.2"));
        var porn = double.Parse(mid[10], System.Globalization.CultureInfo.InvariantCulture);
        var hentai = double.Parse(mid[8], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(double.Parse(mid[3], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(porn + hentai).Within(1e-6), "unsafe = P(Porn) + P(Hentai)");
        Assert.That(stdout, Does.Contain("1 unreadable image(s) skipped"));
    }

    [Test]
    public async Task Only_unreadable_images_is_exit_2_and_writes_no_csv()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("images"));
        File.WriteAllBytes(dir.File("images/broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        File.WriteAllBytes(dir.File("images/empty.png"), []);
        var csv = dir.File("out.csv");
        var (code, _, stderr) = await CliRun.Probe("judge", dir.File("images"), "--judge", "nsfwjs", "--out", csv);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError), stderr);
        Assert.That(stderr, Does.Contain("broken.png").And.Contain("empty.png").And.Contain("none of the 2 image file(s) could be read"));
        Assert.That(File.Exists(csv), Is.False);
    }

    [Test]
    public async Task A_bad_judge_spec_is_a_usage_error()
    {
        var (code, _, stderr) = await CliRun.Probe("judge", NsfwjsImages, "--judge", "clip:vit");
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(stderr, Does.StartWith("error: ").And.Contain("clip:vit"));
    }
}
