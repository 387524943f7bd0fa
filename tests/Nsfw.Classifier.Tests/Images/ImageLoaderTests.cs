using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Probe.Core.Images;
using Probe.Judging;
using Probe.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Probe.Tests.Images;

public class ImageLoaderTests
{
    static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    TempDir folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempDir();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void Png_written_by_PngFile_decodes_to_the_same_pixels()
    {
        var image = TestImages.Pattern(13, 7);
        var path = folder.File("pattern.png");
        File.WriteAllBytes(path, PngFile.Encode(image));
        var loaded = ImageLoader.Load(path);
        Assert.That((loaded.Width, loaded.Height, loaded.Sha256()), Is.EqualTo((13, 7, image.Sha256())));
    }

    [Test]
    public void Jpeg_decodes_to_its_colours()
    {
        var image = ImageLoader.Load(Data("red_blue_16x8.jpg"));
        Assert.That((image.Width, image.Height), Is.EqualTo((16, 8)));
        int[] Pixel(int x, int y) => Enumerable.Range(0, 3).Select(c => (int)image.Pixels[(y * 16 + x) * 3 + c]).ToArray();
        Assert.That(Pixel(2, 4), Is.EqualTo(new[] { 220, 30, 30 }).Within(6));
        Assert.That(Pixel(13, 4), Is.EqualTo(new[] { 30, 30, 220 }).Within(6));
    }

    [Test]
    public void Greyscale_is_expanded_to_equal_rgb()
    {
        var image = ImageLoader.Load(Data("grey_5x3.png"));
        var expected = Enumerable.Range(0, 15).SelectMany(i => Enumerable.Repeat((byte)((i % 5) * 50 + i / 5), 3)).ToArray();
        Assert.That(image.Pixels, Is.EqualTo(expected));
    }

    [Test]
    public void Alpha_is_dropped_not_blended()
    {
        var image = ImageLoader.Load(Data("rgba_2x2.png"));
        Assert.That(image.Pixels, Is.EqualTo(new byte[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120 }));
    }

    [Test]
    public void Nsfwjs_fixture_pngs_decode_to_the_manifest_rgb_hashes()
    {
        var dir = Path.Combine(Fixtures.Root, "nsfwjs", "images");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "images_manifest.json")));
        var entries = manifest.RootElement.EnumerateArray().ToArray();
        Assert.That(entries, Is.Not.Empty);
        foreach (var entry in entries)
        {
            var image = ImageLoader.Load(Path.Combine(Fixtures.Root, "nsfwjs", entry.GetProperty("file").GetString()!));
            Assert.That((image.Width, image.Height, image.Sha256()),
                Is.EqualTo((entry.GetProperty("width").GetInt32(), entry.GetProperty("height").GetInt32(), entry.GetProperty("rgb_sha256").GetString())),
                entry.GetProperty("name").GetString());
        }
    }

    [Test]
    public void Subsampled_jpeg_decodes_within_3_levels_of_libjpeg_turbo()
    {
        var image = ImageLoader.Load(Data("chelsea_420.jpg"));
        var reference = File.ReadAllBytes(Data("chelsea_420.libjpeg-turbo.rgb"));
        Assert.That((image.Width, image.Height), Is.EqualTo((64, 48)));
        var largest = image.Pixels.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
        Assert.That(largest, Is.LessThanOrEqualTo(3), "the browser nsfwjs runs in decodes JPEG with libjpeg-turbo");
    }

    [Test]
    public void ImageSharp_would_decode_the_same_jpeg_further_from_libjpeg_turbo_which_is_why_jpeg_stays_on_stb()
    {
        using var decoded = Image.Load<Rgb24>(Data("chelsea_420.jpg"));
        var pixels = new byte[decoded.Width * decoded.Height * 3];
        decoded.CopyPixelDataTo(pixels);
        var reference = File.ReadAllBytes(Data("chelsea_420.libjpeg-turbo.rgb"));
        var largest = pixels.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
        Assert.That(largest, Is.GreaterThan(3), "if ImageSharp now matches libjpeg-turbo, ImageLoader can decode JPEG with it too");
        TestContext.Out.WriteLine($"ImageSharp 2.1.13 on chelsea_420.jpg: largest difference {largest} levels");
    }

    [Test]
    public void Sixteen_bit_png_keeps_the_high_byte_of_each_sample()
    {
        using var wide = new Image<Rgb48>(3, 1);
        wide[0, 0] = new Rgb48(0x12FF, 0x1280, 0x127F);
        wide[1, 0] = new Rgb48(0xFFFF, 0x00FF, 0x0100);
        wide[2, 0] = new Rgb48(0x8000, 0x7FFF, 0);
        var path = folder.File("wide.png");
        wide.SaveAsPng(path, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb });
        Assert.That(ImageLoader.Load(path).Pixels, Is.EqualTo(new byte[] { 0x12, 0x12, 0x12, 0xFF, 0x00, 0x01, 0x80, 0x7F, 0x00 }));
    }

    [Test]
    public void Exif_orientation_is_not_applied()
    {
        using var stored = new Image<Rgb24>(4, 2, new Rgb24(200, 0, 0));
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // "rotate 90° clockwise to display"
        var path = folder.File("rotated.jpg");
        stored.SaveAsJpeg(path, new JpegEncoder { Quality = 100 });
        var image = ImageLoader.Load(path);
        Assert.That((image.Width, image.Height), Is.EqualTo((4, 2)));
    }

    [Test]
    public void Png_with_a_bad_idat_crc_is_refused_naming_the_chunk()
    {
        var bytes = PngFile.Encode(TestImages.Pattern(5, 4));
        var at = 8;
        while (Encoding.ASCII.GetString(bytes, at + 4, 4) != "IDAT")
            at += 12 + BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
        bytes[at + 8 + BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at))] ^= 0x01; // first CRC byte
        var path = folder.File("bad-crc.png");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
        Assert.That(e!.Message, Is.EqualTo($"{path}: PNG is corrupt: CRC Error. PNG IDAT chunk is corrupt!"));
    }

    [Test]
    public void A_missing_file_is_named()
    {
        var path = folder.File("nope.png");
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
        Assert.That((e!.Path, e.Problem, e.Message), Is.EqualTo((path, "file not found", $"{path}: file not found")));
    }

    [TestCase("", "file is empty")]
    [TestCase("hello, not an image", "unrecognised file signature")]
    public void Files_that_are_not_images_are_refused(string content, string problem)
    {
        var path = folder.File("bad.png");
        File.WriteAllText(path, content);
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain(problem));
    }

    [Test]
    public void A_truncated_png_is_refused_as_corrupt()
    {
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(Data("truncated.png")));
        Assert.That(e!.Message, Does.StartWith(Data("truncated.png")).And.Contain("PNG").And.Contain("corrupt"));
    }

    [Test]
    public void Images_above_the_pixel_limit_are_refused_before_decoding()
    {
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(Data("red_blue_16x8.jpg"), maxPixels: 100));
        Assert.That(e!.Message, Does.Contain("16x8 pixels exceeds the limit of 100 pixels"));
    }

    [Test]
    public async Task Judging_a_folder_skips_bad_files_and_keeps_the_order()
    {
        File.WriteAllBytes(folder.File("a.png"), PngFile.Encode(TestImages.Solid(4, 4, 255, 255, 255)));
        File.WriteAllText(folder.File("b.png"), "broken");
        File.WriteAllBytes(folder.File("c.png"), PngFile.Encode(TestImages.Solid(4, 4, 0, 0, 0)));
        File.Copy(Data("truncated.png"), folder.File("d.png"));
        File.WriteAllBytes(folder.File("e.png"), PngFile.Encode(TestImages.Solid(3, 3, 51, 51, 51)));
        var paths = Directory.GetFiles(folder.Path).Order(StringComparer.Ordinal).ToArray();
        using var judge = new MeanBrightnessJudge();
        var progress = new List<int>();
        var results = await judge.JudgeFilesAsync(paths, batchSize: 2, progress: new SynchronousProgress(progress));

        Assert.That(results.Select(r => Path.GetFileName(r.Path)), Is.EqualTo(new[] { "a.png", "b.png", "c.png", "d.png", "e.png" }));
        Assert.That(results.Select(r => r.Verdict?.UnsafeScore), Is.EqualTo(new double?[] { 1.0, null, 0.0, null, 0.2 }));
        Assert.That(results[1].Error!.Message, Does.StartWith(paths[1]).And.Contain("unrecognised file signature"));
        Assert.That(results[3].Error!.Message, Does.StartWith(paths[3]).And.Contain("corrupt"));
        Assert.That(progress[^1], Is.EqualTo(5));
    }

    sealed class SynchronousProgress(List<int> values) : IProgress<int>
    {
        public void Report(int value) => values.Add(value);
    }
}
