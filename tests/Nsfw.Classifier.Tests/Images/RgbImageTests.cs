using Probe.Core.Images;
using Probe.Tests.Support;
using static TorchSharp.torch;

namespace Probe.Tests.Images;

public class RgbImageTests
{
    [Test]
    public void A_float_batch_is_rounded_to_bytes_like_saved_pngs()
    {
        // Red plane ×255: 0, 255, 51.0000008 → 51, −25.5 → clamped to 0.
        // Green plane ×255: 331.5 → clamped to 255, 127.5 → 128 (half to even), 0.5 → 0 (half to even), 0.
        using var batch = tensor(new float[] { 0f, 1f, 0.2f, -0.1f, 1.3f, 0.5f, 0.5f / 255 }.Concat(new float[5]).ToArray(), [1, 3, 2, 2]);
        var image = RgbImage.FromTensorBatch(batch).Single();
        Assert.That((image.Width, image.Height), Is.EqualTo((2, 2)));
        // The image is HWC: channel c of pixel p is at p*3 + c.
        byte[] red = [image.Pixels[0], image.Pixels[3], image.Pixels[6], image.Pixels[9]];
        byte[] green = [image.Pixels[1], image.Pixels[4], image.Pixels[7], image.Pixels[10]];
        Assert.That(red, Is.EqualTo(new byte[] { 0, 255, 51, 0 }));
        Assert.That(green, Is.EqualTo(new byte[] { 255, 128, 0, 0 }));
    }

    [Test]
    public void Wrong_tensor_shapes_are_refused_with_the_shape()
    {
        using var t = zeros(2, 4, 8, 8);
        var e = Assert.Throws<ArgumentException>(() => RgbImage.FromTensorBatch(t));
        Assert.That(e!.Message, Does.Contain("[N,3,H,W]").And.Contain("[2,4,8,8]"));
    }

    [Test]
    public void Pixel_count_must_match_the_size()
    {
        var e = Assert.Throws<ArgumentException>(() => new RgbImage(4, 4, new byte[47]));
        Assert.That(e!.Message, Does.Contain("needs 48 bytes, got 47"));
    }

    [Test]
    public void Tensor_round_trip_keeps_the_pixels()
    {
        var image = TestImages.Pattern(6, 5);
        using var t = image.ToTensor().unsqueeze(0);
        Assert.That(RgbImage.FromTensorBatch(t).Single().Pixels, Is.EqualTo(image.Pixels));
    }
}
