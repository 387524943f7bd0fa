using Probe.Evaluation.Results;
using Probe.Runner.Cli;

namespace Probe.Tests;

/// <summary>
/// Run folders are untrusted input: a path in samples.csv or a symbolic link in the folder never makes merge, report,
/// compare, agreement or a resumed eval read or write outside the folders it was given; credentials in a judge URL
/// never reach a run folder's files or the console.
/// </summary>
[NonParallelizable]
public class UntrustedRunFolderTests
{
    TempDir _dir = null!;
    string _prompts = "";
    string _run = "";

    [OneTimeSetUp]
    public async Task OneRealEvaluation()
    {
        _dir = new TempDir();
        _prompts = EvalTestKit.WritePrompts(_dir, perCategory: 1);
        _run = Path.Combine(_dir.Path, "base", "evaluation");
        var (code, _, err) = await CliRun.Probe(EvalTestKit.EvalArgs(_prompts, _run));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
    }

    [OneTimeTearDown]
    public void Cleanup() => _dir.Dispose();

    /// <summary>A copy of the evaluation in a fresh folder, to tamper with.</summary>
    static string CopyOf(string run, string into)
    {
        foreach (var file in Directory.GetFiles(run, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(into, Path.GetRelativePath(run, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return into;
    }

    static void SetImage(string run, int row, string image)
    {
        var path = Path.Combine(run, SamplesCsv.FileName);
        var samples = SamplesCsv.Read(path);
        samples[row] = samples[row] with { Image = image };
        // Written raw: SamplesCsv.Write would be fine too, the point is what a reader does with it.
        SamplesCsv.Write(path, samples);
    }

    [Test]
    public async Task Merge_refuses_an_image_path_that_leaves_the_shard_and_writes_nothing_outside_out()
    {
        using var dir = new TempDir();
        var shard = CopyOf(_run, Path.Combine(dir.Path, "shard"));
        var first = RunFolder.Open(shard).Samples[0];
        // The image path climbs out of --out: before the fix merge copied the shard's image to dir/escape.png.
        SetImage(shard, 0, "../escape.png");
        File.Copy(Path.Combine(_run, first.Image), Path.Combine(dir.Path, "escape.png"));
        var (code, _, err) = await CliRun.Probe("merge", shard, "--out", Path.Combine(dir.Path, "out", "merged"));
        Assert.That(code, Is.EqualTo(ExitCodes.UserError), err);
        Assert.That(err, Does.Contain($"{Path.Combine(shard, SamplesCsv.FileName)}:2: image path '../escape.png' leaves the run folder"));
        Assert.That(File.Exists(Path.Combine(dir.Path, "out", "escape.png")), Is.False);
    }

    [Test]
    public async Task Merge_refuses_a_shard_image_that_is_a_link_to_a_file_outside_the_shard()
    {
        using var dir = new TempDir();
        var shard = CopyOf(_run, Path.Combine(dir.Path, "shard"));
        var secret = dir.File("private/id_rsa");
        File.WriteAllText(secret, "PRIVATE KEY");
        var image = Path.Combine(shard, RunFolder.Open(shard).Samples[1].Image);
        File.Delete(image);
        File.CreateSymbolicLink(image, secret);
        var merged = Path.Combine(dir.Path, "merged");
        var (code, _, err) = await CliRun.Probe("merge", shard, "--out", merged);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError), err);
        Assert.That(err, Does.Contain($"{SamplesCsv.FileName}:3: image: path '{RunFolder.Open(shard).Samples[1].Image}' goes through a symbolic link to {secret}"));
        var copied = Directory.Exists(merged) ? Directory.GetFiles(merged, "*", SearchOption.AllDirectories) : [];
        Assert.That(copied.Select(File.ReadAllText), Has.None.Contain("PRIVATE KEY"));
    }

    [Test]
    public async Task Merge_refuses_an_images_link_in_out_that_leads_outside_it()
    {
        using var dir = new TempDir();
        var shard = CopyOf(_run, Path.Combine(dir.Path, "shard"));
        var outside = Directory.CreateDirectory(Path.Combine(dir.Path, "outside")).FullName;
        var merged = Directory.CreateDirectory(Path.Combine(dir.Path, "merged")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(merged, "images"), outside);
        var (code, _, err) = await CliRun.Probe("merge", shard, "--out", merged);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError), err);
        Assert.That(err, Does.Contain("copied into --out").And.Contain("symbolic link").And.Contain(outside));
        Assert.That(Directory.GetFileSystemEntries(outside), Is.Empty);
    }

    [Test]
    public async Task Eval_refuses_to_write_through_an_images_link_that_leaves_the_run_folder()
    {
        using var dir = new TempDir();
        var outside = Directory.CreateDirectory(Path.Combine(dir.Path, "outside")).FullName;
        var run = Directory.CreateDirectory(Path.Combine(dir.Path, "run")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(run, "images"), outside);
        var (code, _, err) = await CliRun.Probe(EvalTestKit.EvalArgs(_prompts, run));
        Assert.That(code, Is.EqualTo(ExitCodes.UserError), err);
        Assert.That(err, Does.Contain($"{run}: image of").And.Contain("symbolic link").And.Contain(outside));
        Assert.That(Directory.GetFileSystemEntries(outside, "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task Resume_compare_agreement_and_report_refuse_an_image_path_that_leaves_the_run_folder()
    {
        using var dir = new TempDir();
        var run = CopyOf(_run, Path.Combine(dir.Path, "evaluation"));
        SetImage(run, 2, "/etc/passwd");
        var where = $"{Path.Combine(run, SamplesCsv.FileName)}:4: image path '/etc/passwd' is absolute";

        var labels = dir.File("labels.csv");
        File.WriteAllText(labels, "image,label\nimages/x.png,safe\n");
        string[][] commands =
        [
            EvalTestKit.EvalArgs(_prompts, run),
            ["compare", run, _run],
            ["agreement", run, labels],
            ["report", run, "--out", Path.Combine(dir.Path, "report")],
        ];
        foreach (var args in commands)
        {
            var (code, _, err) = await CliRun.Probe(args);
            Assert.That(code, Is.EqualTo(ExitCodes.UserError), $"{args[0]}: {err}");
            Assert.That(err, Does.Contain(where), args[0]);
        }
    }

    [Test]
    public async Task Report_does_not_copy_an_image_that_is_a_link_out_of_the_run_folder()
    {
        using var dir = new TempDir();
        var run = CopyOf(_run, Path.Combine(dir.Path, "evaluation"));
        var secret = dir.File("secret.png");
        File.WriteAllText(secret, "not for the report");
        var image = Path.Combine(run, "images");
        // The whole images/ folder is a link out of the run: every image of it is refused.
        Directory.Move(image, Path.Combine(dir.Path, "moved"));
        Directory.CreateSymbolicLink(image, Path.Combine(dir.Path, "moved"));
        var outDir = Path.Combine(dir.Path, "report");
        var (code, _, err) = await CliRun.Probe("report", run, "--out", outDir);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(err, Does.Contain("goes through a symbolic link").And.Contain("not copied"));
        Assert.That(Directory.Exists(Path.Combine(outDir, "images")), Is.False);
    }

    [Test]
    public async Task A_judge_url_with_credentials_is_written_nowhere_in_the_run_folder_nor_printed()
    {
        using var dir = new TempDir();
        var run = Path.Combine(dir.Path, "run");
        // Nothing listens on port 9; the run fails at its first judgement, after the manifest is written.
        var spec = "vlm:http://alice:TOPSECRET1@127.0.0.1:9/v1?api_key=TOPSECRET2,gpt-4o,attempts=1,cache=none,json=false";
        var (code, stdout, err) = await CliRun.Probe(EvalTestKit.EvalArgs(_prompts, run, "--judge", spec));
        Assert.That(code, Is.EqualTo(ExitCodes.UserError), err);
        Assert.That(File.Exists(Path.Combine(run, RunManifest.FileName)), Is.True);
        Assert.That(err, Does.Contain("http://***@127.0.0.1:9/v1"));
        Assert.That(stdout + err, Does.Not.Contain("TOPSECRET"));
        foreach (var file in Directory.GetFiles(run, "*", SearchOption.AllDirectories))
            Assert.That(File.ReadAllText(file), Does.Not.Contain("TOPSECRET").And.Not.Contain("alice"), file);
        var manifest = File.ReadAllText(Path.Combine(run, RunManifest.FileName));
        Assert.That(manifest, Does.Contain("http://***@127.0.0.1:9/v1?api_key=***"));
    }
}
