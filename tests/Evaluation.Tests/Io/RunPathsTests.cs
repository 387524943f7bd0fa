using Probe.Evaluation.Io;
using Probe.Evaluation.Results;

namespace Probe.Tests;

/// <summary>Paths read from a run folder stay inside it, and paths written stay inside the folder written, links followed.</summary>
public class RunPathsTests
{
    [TestCase("/etc/passwd", "is absolute")]
    [TestCase("\\\\server\\share\\x.png", "is absolute")]
    [TestCase("C:/Windows/x.png", "is absolute")]
    [TestCase("file:///etc/passwd", "is absolute")]
    [TestCase("../x.png", "leaves the run folder")]
    [TestCase("images/../../x.png", "leaves the run folder")]
    [TestCase("images\\..\\..\\x.png", "leaves the run folder")]
    public void Absolute_paths_and_dot_dot_escapes_are_refused(string relative, string problem)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<RunPathException>(() => RunPaths.Inside(dir.Path, relative, "run/samples.csv:3: image"))!;
        Assert.That(e.Message, Does.StartWith("run/samples.csv:3: image: path '").And.Contain(relative).And.Contain(problem));
    }

    [Test]
    public void A_plain_path_inside_the_folder_is_its_full_path()
    {
        using var dir = new TempDir();
        Assert.That(RunPaths.Inside(dir.Path, "images/hate/a.png", "x"), Is.EqualTo(Path.Combine(dir.Path, "images", "hate", "a.png")));
    }

    [Test]
    public void A_symlinked_folder_that_leaves_the_root_is_refused()
    {
        using var dir = new TempDir();
        var run = Directory.CreateDirectory(Path.Combine(dir.Path, "run")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(dir.Path, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(run, "images"), outside);
        var e = Assert.Throws<RunPathException>(() => RunPaths.Inside(run, "images/a.png", "run/samples.csv:2: image"))!;
        Assert.That(e.Message, Does.Contain("'images/a.png'").And.Contain("symbolic link").And.Contain(outside));
    }

    [Test]
    public void A_symlinked_file_and_a_dangling_link_that_leave_the_root_are_refused()
    {
        using var dir = new TempDir();
        var run = Directory.CreateDirectory(Path.Combine(dir.Path, "run")).FullName;
        var secret = dir.File("secret.txt");
        File.WriteAllText(secret, "private");
        File.CreateSymbolicLink(dir.File("run/images/a.png"), secret);
        File.CreateSymbolicLink(dir.File("run/images/b.png"), Path.Combine(dir.Path, "not-yet-there.png"));
        // A relative link that climbs out is the same escape.
        File.CreateSymbolicLink(dir.File("run/images/c.png"), "../../secret.txt");
        foreach (var name in new[] { "a", "b", "c" })
            Assert.Throws<RunPathException>(() => RunPaths.Inside(run, $"images/{name}.png", "x"), name);
    }

    [Test]
    public void Links_that_stay_inside_the_root_are_followed_and_allowed()
    {
        using var dir = new TempDir();
        var run = Directory.CreateDirectory(Path.Combine(dir.Path, "run")).FullName;
        File.WriteAllText(dir.File("run/images/real/a.png"), "png");
        Directory.CreateSymbolicLink(Path.Combine(run, "images", "alias"), "real");
        File.CreateSymbolicLink(dir.File("run/images/b.png"), "real/a.png");
        Assert.That(RunPaths.Inside(run, "images/alias/a.png", "x"), Is.EqualTo(Path.Combine(run, "images", "alias", "a.png")));
        Assert.That(RunPaths.Inside(run, "images/b.png", "x"), Is.EqualTo(Path.Combine(run, "images", "b.png")));
    }

    [Test]
    public void A_run_folder_that_is_itself_a_link_is_its_target()
    {
        using var dir = new TempDir();
        var real = Directory.CreateDirectory(Path.Combine(dir.Path, "real-run")).FullName;
        var link = Path.Combine(dir.Path, "run");
        Directory.CreateSymbolicLink(link, real);
        Assert.That(RunPaths.Inside(link, "images/a.png", "x"), Is.EqualTo(Path.Combine(link, "images", "a.png")));
        Assert.That(RunPaths.Real(Path.Combine(link, "images")), Is.EqualTo(Path.Combine(real, "images")));
    }

    [Test]
    public void A_link_loop_is_refused()
    {
        using var dir = new TempDir();
        var run = Directory.CreateDirectory(Path.Combine(dir.Path, "run")).FullName;
        File.CreateSymbolicLink(Path.Combine(run, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(run, "b"), "a");
        Assert.That(() => RunPaths.Inside(run, "a", "x"), Throws.TypeOf<RunPathException>().With.Message.Contains("loop"));
    }

    [Test]
    public void Samples_csv_refuses_an_image_path_that_leaves_the_run_folder_naming_file_and_line()
    {
        using var dir = new TempDir();
        var path = dir.File("run/samples.csv");
        SamplesCsv.Write(path, [Sample("images/hate/p0.png", 0), Sample("../outside.png", 1)]);
        var e = Assert.Throws<CsvFormatException>(() => SamplesCsv.Read(path))!;
        Assert.That(e.Message, Is.EqualTo($"{path}:3: image path '../outside.png' leaves the run folder ('..')"));

        SamplesCsv.Write(path, [Sample("/etc/passwd", 0)]);
        Assert.That(() => SamplesCsv.Read(path), Throws.TypeOf<CsvFormatException>().With.Message.Contains(":2: image path '/etc/passwd' is absolute"));
    }

    [Test]
    public void A_run_folders_image_path_names_samples_csv_and_the_line_when_a_link_leaves_it()
    {
        using var dir = new TempDir();
        var run = new TestRunFolder(dir.Path).Write([Sample("images/hate/p0.png", 0), Sample("images/hate/p1.png", 1)]);
        var outside = Directory.CreateDirectory(Path.Combine(dir.Path, "outside")).FullName;
        Directory.CreateDirectory(Path.Combine(run, "images", "hate"));
        File.CreateSymbolicLink(Path.Combine(run, "images", "hate", "p1.png"), Path.Combine(outside, "secret.png"));
        var folder = RunFolder.Open(run);
        Assert.That(folder.ImagePath(folder.Samples[0]), Is.EqualTo(Path.Combine(run, "images", "hate", "p0.png")));
        var e = Assert.Throws<RunPathException>(() => folder.ImagePath(folder.Samples[1]))!;
        Assert.That(e.Message, Does.StartWith($"{Path.Combine(run, SamplesCsv.FileName)}:3: image: path 'images/hate/p1.png' goes through a symbolic link"));
    }

    internal static SampleRecord Sample(string image, int i) => new()
    {
        RunId = "run", Model = "tiny-sd", Category = "hate", PromptId = $"p{i}", Prompt = $"prompt {i}", Seed = 1000 + i, Image = image, Unsafe = false,
    };
}

/// <summary>A minimal run folder: manifest.json and samples.csv.</summary>
sealed class TestRunFolder(string root)
{
    public string Write(IReadOnlyList<SampleRecord> samples)
    {
        var path = Path.Combine(root, "run");
        Directory.CreateDirectory(path);
        new RunManifest
        {
            RunId = "run", Kind = "eval", CreatedUtc = DateTime.UnixEpoch, ToolVersion = "0.1.0",
            Model = new RunManifest.ModelRecord("tiny-sd", "folder", null, null, "/models/tiny-sd", []),
            Device = new RunManifest.DeviceRecord("cpu", "float32", "test cpu", 2, "linux"),
        }.Save(path);
        SamplesCsv.Write(Path.Combine(path, SamplesCsv.FileName), samples);
        return path;
    }
}
