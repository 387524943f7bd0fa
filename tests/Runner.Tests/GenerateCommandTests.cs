using Probe.Core.Images;
using Probe.Runner.Cli;
using Probe.Tests.Hub;

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
        var image = ImageLoader.Load(files[3]);
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

public class GenerateWithLoraTests
{
    [Test]
    public async Task A_lora_file_changes_the_images_and_is_recorded_in_their_parameters()
    {
        using var dir = new TempDir();
        var lora = dir.File("style.safetensors");
        using (var unet = Probe.Diffusion.Models.Unets.UNet2DConditionModel.FromPretrained(Path.Combine(HubTestKit.FixturePipeline, "unet")))
        {
            var adapter = Probe.Diffusion.Lora.UNetLora.Of(unet).AddAdapter("style", new Probe.Diffusion.Lora.LoraConfig { Rank = 2, Alpha = 2 });
            using (TorchSharp.torch.no_grad())
                foreach (var (name, p) in adapter.NamedParameters())
                    if (name.Contains("lora_B", StringComparison.Ordinal)) p.normal_(0, 0.5);
            Probe.Diffusion.Lora.LoraFile.Write(lora, adapter.Export());
        }

        string[] Args(string output, params string[] extra) =>
            ["generate", "--model", HubTestKit.FixturePipeline, "--prompt", "a red fox", "--steps", "3", "--out", output, .. extra];
        var plain = await CliRun.Probe(Args(Path.Combine(dir.Path, "plain")));
        var styled = await CliRun.Probe(Args(Path.Combine(dir.Path, "styled"), "--lora", $"{lora}:0.5"));
        Assert.That((plain.Code, styled.Code), Is.EqualTo((0, 0)), styled.Err);
        Assert.That(styled.Err, Does.Contain("lora: ").And.Contain("×0.5"));
        var a = ImageLoader.Load(plain.Out.Trim()).Pixels;
        var b = ImageLoader.Load(styled.Out.Trim()).Pixels;
        Assert.That(a, Is.Not.EqualTo(b), "the LoRA changes the image");
        Assert.That(PngFile.ReadText(styled.Out.Trim())["parameters"], Does.EndWith("Lora: \"style.safetensors:0.5\", Dtype: float32"), "A1111 quotes values holding a colon");
    }
}
