using System.Buffers.Binary;
using System.Text;
using Probe.Core.Images;
using Probe.Diffusion.Images;
using static TorchSharp.torch;

namespace Probe.Tests;

public class PngFileTests
{
    static string TempFile(string name) => Path.Combine(Path.GetTempPath(), "probe-tests", Guid.NewGuid().ToString("N"), name);

    [Test]
    public void Written_pixels_decode_identically()
    {
        var rng = new Random(7);
        const int w = 37, h = 23;
        var rgb = new byte[w * h * 3];
        rng.NextBytes(rgb);
        for (var i = 0; i < w * 3 * 5; i++) rgb[i] = (byte)(i % 7); // smooth rows exercise the Sub/Up/Paeth filters
        var path = TempFile("noise.png");
        PngFile.Write(path, w, h, rgb);

        var decoded = ImageLoader.Load(path);
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((w, h)));
        Assert.That(decoded.Pixels, Is.EqualTo(rgb));
    }

    [Test]
    public void The_same_pixels_and_text_always_give_the_same_bytes()
    {
        var rgb = new byte[19 * 11 * 3];
        new Random(3).NextBytes(rgb);
        var text = new Dictionary<string, string> { ["parameters"] = "a fox\nSteps: 20", ["probe"] = "{\"seed\":1}" };
        var path = TempFile("twice.png");
        PngFile.Write(path, 19, 11, rgb, text);
        var first = File.ReadAllBytes(path);
        PngFile.Write(path, 19, 11, rgb, text);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(first));
        Assert.That(PngFile.Encode(19, 11, rgb, text), Is.EqualTo(first));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Is.EqualTo(new[] { path }), "no temp file is left behind");
    }

    [Test]
    public void Latin1_text_goes_in_tEXt_and_other_text_in_uncompressed_iTXt()
    {
        var long1111 = new string('x', 5000); // longer than ImageSharp's default threshold for compressing text
        var bytes = PngFile.Encode(2, 2, new byte[12], new Dictionary<string, string> { ["parameters"] = "café " + long1111, ["probe"] = "東京" });
        var chunks = new List<(string Type, byte[] Data)>();
        for (var at = 8; at < bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            chunks.Add((Encoding.ASCII.GetString(bytes, at + 4, 4), bytes.AsSpan(at + 8, length).ToArray()));
            at += 12 + length;
        }
        Assert.That(chunks.Select(c => c.Type), Is.EqualTo(new[] { "IHDR", "tEXt", "iTXt", "IDAT", "IEND" }));
        Assert.That(chunks[1].Data, Is.EqualTo(Encoding.Latin1.GetBytes("parameters\0café " + long1111)));
        Assert.That(chunks[2].Data, Is.EqualTo(Encoding.UTF8.GetBytes("probe\0\0\0\0\0東京")), "iTXt: not compressed, no language tag");
    }

    [Test]
    public void Text_keys_png_forbids_are_refused()
    {
        var text = new Dictionary<string, string> { [new string('k', 80)] = "v" };
        Assert.Throws<ArgumentException>(() => PngFile.Encode(1, 1, new byte[3], text));
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
