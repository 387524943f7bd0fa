using Probe.Core.Images;
using Probe.Diffusion.Images;
using StbImageSharp;
using static TorchSharp.torch;

namespace Probe.Tests;

public class PngFileTests
{
    static string TempFile(string name) => Path.Combine(Path.GetTempPath(), "probe-tests", Guid.NewGuid().ToString("N"), name);

    [Test]
    public void Written_pixels_decode_identically_with_an_independent_decoder()
    {
        var rng = new Random(7);
        const int w = 37, h = 23;
        var rgb = new byte[w * h * 3];
        rng.NextBytes(rgb);
        for (var i = 0; i < w * 3 * 5; i++) rgb[i] = (byte)(i % 7); // smooth rows exercise the Sub/Up/Paeth filters
        var path = TempFile("noise.png");
        PngFile.Write(path, w, h, rgb);

        var decoded = ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue);
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((w, h)));
        Assert.That(decoded.Data, Is.EqualTo(rgb));
    }

    [Test]
    public void Parameters_chunk_round_trips_in_the_A1111_layout()
    {
        var parameters = new GenerationParameters
        {
            Prompt = "a red fox, 東京", NegativePrompt = "blurry", Seed = 42, Steps = 20, GuidanceScale = 7.5,
            Scheduler = "ddim", Width = 32, Height = 32, Model = "stabilityai/stable-diffusion-2-1", Eta = 1.0,
        };
        var path = TempFile("fox.png");
        using var image = rand(3, 32, 32);
        ImageTensors.SavePng(path, image, parameters.ToPngText(new Dictionary<string, string> { ["probe"] = "{\"seed\":42}" }));

        var text = PngFile.ReadText(path);
        Assert.That(text["parameters"], Is.EqualTo(
            "a red fox, 東京\nNegative prompt: blurry\n" +
            "Steps: 20, Sampler: DDIM, CFG scale: 7.5, Seed: 42, Size: 32x32, Model: stabilityai/stable-diffusion-2-1, Eta: 1"));
        Assert.That(text["probe"], Is.EqualTo("{\"seed\":42}"));
    }

    [Test]
    public void Image_tensors_round_like_diffusers()
    {
        using var image = tensor(new[] { 0f, 0.5f, 1f, 0.00196f, 0.00197f, 1.2f }).reshape(3, 1, 2);
        var bytes = ImageTensors.ToRgbBytes(image);
        // Channels R=[0, 0.5], G=[1, 0.00196], B=[0.00197, 1.2]. HWC: pixel 0 = (0, 255, 0.502→1),
        // pixel 1 = (127.5→128, 0.4998→0, clamped 255).
        Assert.That(bytes, Is.EqualTo(new byte[] { 0, 255, 1, 128, 0, 255 }));
    }
}
