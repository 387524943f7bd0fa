using Probe.Core.Safetensors;
using TorchSharp;

namespace Probe.Tests.Safetensors;

public class SafetensorsRoundTripTests
{
    /// <summary>One tensor per dtype, holding that dtype's awkward values (extremes, signed zero, NaN, subnormals).</summary>
    static torch.Tensor Sample(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F64 => torch.tensor(new[] { double.MaxValue, double.Epsilon, -0.0, double.NaN, double.NegativeInfinity, 1.0 / 3 }),
        SafetensorsDType.F32 => torch.tensor(new[] { float.MaxValue, float.Epsilon, -0.0f, float.NaN, float.PositiveInfinity, 1f / 3 }),
        SafetensorsDType.F16 => torch.tensor(new[] { 65504f, 6.1e-5f, -0.0f, float.NaN, float.NegativeInfinity, 1f / 3 }).to(torch.float16),
        SafetensorsDType.BF16 => torch.tensor(new[] { 3.3895e38f, 1e-38f, -0.0f, float.NaN, float.PositiveInfinity, 1f / 3 }).to(torch.bfloat16),
        SafetensorsDType.I64 => torch.tensor(new[] { long.MinValue, long.MaxValue, 0L, -1L, 1L << 40, 7L }),
        SafetensorsDType.I32 => torch.tensor(new[] { int.MinValue, int.MaxValue, 0, -1, 1 << 20, 7 }),
        SafetensorsDType.I16 => torch.tensor(new short[] { short.MinValue, short.MaxValue, 0, -1, 256, 7 }),
        SafetensorsDType.I8 => torch.tensor(new sbyte[] { sbyte.MinValue, sbyte.MaxValue, 0, -1, 16, 7 }),
        SafetensorsDType.U8 => torch.tensor(new byte[] { 0, 255, 1, 128, 16, 7 }),
        SafetensorsDType.BOOL => torch.tensor(new[] { true, false, true, true, false, false }),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    static IEnumerable<SafetensorsDType> AllDTypes => Enum.GetValues<SafetensorsDType>();

    [TestCaseSource(nameof(AllDTypes))]
    public void Every_dtype_round_trips_bit_for_bit_in_every_shape(SafetensorsDType dtype)
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var six = Sample(dtype);
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["matrix"] = six.reshape(2, 3),
            ["transposed"] = six.reshape(2, 3).T, // not contiguous: the writer must lay it out row-major
            ["scalar"] = six[1],
            ["empty"] = six.narrow(0, 0, 0),
            ["empty_middle"] = six.narrow(0, 0, 0).reshape(3, 0, 2),
        };
        var path = dir.File("all.safetensors");
        SafetensorsWriter.Write(path, tensors);

        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Tensors.Keys, Is.EquivalentTo(tensors.Keys));
        foreach (var (name, original) in tensors)
        {
            var info = file.Tensors[name];
            Assert.That(info.DType, Is.EqualTo(dtype), name);
            Assert.That(info.Shape, Is.EqualTo(original.shape), name);
            var loaded = file.Load(name);
            Assert.That(loaded.dtype, Is.EqualTo(original.dtype), name);
            Assert.That(loaded.shape, Is.EqualTo(original.shape), name);
            Assert.That(loaded.bytes.ToArray(), Is.EqualTo(original.contiguous().bytes.ToArray()), $"{name}: bytes differ");
        }
        Assert.That(file.Tensors["scalar"].Shape, Is.Empty);
        Assert.That(file.Tensors["empty_middle"].ByteLength, Is.Zero);
    }

    [Test]
    public void Metadata_survives_the_round_trip()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcödé ✓ \"quoted\" <tag> & more" };
        var path = dir.File("meta.safetensors");
        SafetensorsWriter.Write(path, [new("w", torch.ones(2))], metadata);

        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Metadata, Is.EqualTo(metadata));
    }

    [Test]
    public void Written_header_is_padded_so_the_data_starts_8_byte_aligned()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var path = dir.File("aligned.safetensors");
        SafetensorsWriter.Write(path, [new("odd_name_x", torch.ones(3, dtype: torch.int8))]);

        var bytes = File.ReadAllBytes(path);
        var headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.That((8 + headerLength) % 8, Is.Zero);
        Assert.That(bytes.Length, Is.EqualTo(8 + headerLength + 3));
    }

    [Test]
    public void F16_loads_as_F32_with_exact_values()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var values = new[] { 0.5f, -2f, 1024f, 65504f, 0.0009765625f };
        var path = dir.File("half.safetensors");
        SafetensorsWriter.Write(path, [new("h", torch.tensor(values).to(torch.float16))]);

        using var file = SafetensorsFile.Open(path);
        var loaded = file.Load("h", torch.float32, torch.CPU);
        Assert.That(loaded.dtype, Is.EqualTo(torch.float32));
        Assert.That(loaded.data<float>().ToArray(), Is.EqualTo(values));
    }

    [Test]
    public void BF16_loads_as_F32_and_F32_loads_as_BF16()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var exactInBf16 = new[] { 1f, -3.140625f, 256f, 1.5e-5f };
        var path = dir.File("bf16.safetensors");
        SafetensorsWriter.Write(path, [
            new("b", torch.tensor(exactInBf16).to(torch.bfloat16)),
            new("f", torch.tensor(new[] { 1f, 1.00390625f, 3.14159265f })),
        ]);

        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Load("b", torch.float32).data<float>().ToArray(),
            Is.EqualTo(torch.tensor(exactInBf16).to(torch.bfloat16).to(torch.float32).data<float>().ToArray()));
        var down = file.Load("f", torch.bfloat16);
        Assert.That(down.dtype, Is.EqualTo(torch.bfloat16));
        // bf16 keeps 8 bits of mantissa: 1.00390625 rounds to 1, pi to 3.140625.
        Assert.That(down.to(torch.float32).data<float>().ToArray(), Is.EqualTo(new[] { 1f, 1f, 3.140625f }));
    }

    [Test]
    public void Integer_tensors_convert_to_float_on_load()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var path = dir.File("ints.safetensors");
        SafetensorsWriter.Write(path, [new("i", torch.tensor(new[] { -7, 0, 1 << 24 }))]);

        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Load("i", torch.float64).data<double>().ToArray(), Is.EqualTo(new[] { -7.0, 0, 16777216 }));
    }

    [Test]
    public void Writer_refuses_a_tensor_named_like_the_metadata_key()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(dir.File("x.safetensors"), [new("__metadata__", torch.ones(1))]));
        Assert.That(e!.Message, Does.Contain("__metadata__"));
        Assert.That(Directory.GetFiles(dir.Path), Is.Empty, "no file, not even a temp file, is left behind");
    }

    [Test]
    public void Writer_replaces_an_existing_file_atomically_and_leaves_no_temp_file()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var path = dir.File("w.safetensors");
        SafetensorsWriter.Write(path, [new("a", torch.zeros(4))]);
        SafetensorsWriter.Write(path, [new("b", torch.ones(2))]);

        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Tensors.Keys, Is.EqualTo(new[] { "b" }));
        Assert.That(Directory.GetFiles(dir.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "w.safetensors" }));
    }
}
