using Probe.Diffusion.Images;
using Probe.Runner.Cli;
using Probe.Tests.Hub;
using StbImageSharp;

namespace Probe.Tests;

public class GenerateCommandTests
{
    [Test]
    public async Task Writes_pngs_with_generation_parameters_from_a_local_folder()
    {
        using var dir = new TempDir();
        var (code, output, error) = await CliRun.Probe("generate", "--model", HubTestKit.FixturePipeline, "--prompt", "a red fox",
            "--prompt", "a city at night", "--n", "2", "--steps", "3", "--seed", "100", "--negative-prompt", "blurry", "--out", dir.Path);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);

        var files = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(files.Select(Path.GetFileName), Is.EqualTo(new[] { "0000-seed100.png", "0001-seed101.png", "0002-seed102.png", "0003-seed103.png" }));
        var image = ImageResult.FromMemory(File.ReadAllBytes(files[3]), ColorComponents.RedGreenBlue);
        Assert.That((image.Width, image.Height), Is.EqualTo((32, 32)));
        Assert.That(PngFile.ReadText(files[3])["parameters"], Is.EqualTo(
            $"a city at night\nNegative prompt: blurry\nSteps: 3, Sampler: DDIM, CFG scale: 7.5, Seed: 103, Size: 32x32, Model: {HubTestKit.FixturePipeline}, Dtype: float32"));
    }

    [Test]
    public async Task Downloads_a_hub_id_into_the_cache_and_then_runs_offline()
    {
        using var hub = new FakeHub();
        hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureWithDecoys());
        using var cache = new TempDir();
        using var outDir = new TempDir();
        using (new CliRun.Environment().Set("HF_ENDPOINT", hub.Endpoint).Set("HF_HUB_CACHE", cache.Path).Set("HF_TOKEN", null).Set("HF_HUB_OFFLINE", null))
        {
            var (code, output, error) = await CliRun.Probe("generate", "--model", HubTestKit.RepoId, "--prompt", "a lighthouse",
                "--steps", "2", "--out", outDir.Path);
            Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
            Assert.That(error, Does.Contain($"model: {HubTestKit.RepoId}@"));
            Assert.That(PngFile.ReadText(output.Trim())["parameters"], Does.Contain($"Model: {HubTestKit.RepoId}"));
        }
        Assert.That(Directory.Exists(Path.Combine(cache.Path, "models--probe-tests--sd21-tiny", "snapshots")), Is.True);

        hub.Dispose();
        using (new CliRun.Environment().Set("HF_ENDPOINT", "http://127.0.0.1:9").Set("HF_HUB_CACHE", cache.Path).Set("HF_HUB_OFFLINE", "1"))
        {
            var (code, _, error) = await CliRun.Probe("generate", "--model", HubTestKit.RepoId, "--prompt", "again", "--steps", "1", "--out", outDir.Path);
            Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        }
    }

    [Test]
    public async Task An_unknown_model_is_one_clear_error()
    {
        using var cache = new TempDir();
        using var outDir = new TempDir();
        using var env = new CliRun.Environment().Set("HF_HUB_CACHE", cache.Path).Set("HF_HUB_OFFLINE", "1");
        var (code, _, error) = await CliRun.Probe("generate", "--model", "nobody/nothing", "--prompt", "x", "--out", outDir.Path);
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error, Does.StartWith("error: ").And.Contain("nobody/nothing"));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
    }
}
