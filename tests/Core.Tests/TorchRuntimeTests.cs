using Probe.Core.Torch;
using TorchSharp;

namespace Probe.Tests;

public class TorchRuntimeTests
{
    [Test]
    public void Libtorch_loads_and_computes()
    {
        // Fails (rather than skips) when libtorch cannot load, e.g. an unpatched libLibTorchSharp.so on Debian 12.
        Assert.DoesNotThrow(TorchRuntime.EnsureLoaded);
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.T);
        Assert.That(b[1, 1].item<float>(), Is.EqualTo(9f + 16f + 25f));
        Assert.That(TorchRuntime.LibTorchVersion, Does.StartWith("2.10"));
    }

    [TestCase("cpu")]
    [TestCase("CPU")]
    public void Parses_cpu_device(string name) =>
        Assert.That(TorchRuntime.ParseDevice(name).type, Is.EqualTo(DeviceType.CPU));

    [Test]
    public void Rejects_unknown_device_with_advice()
    {
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("tpu"));
        Assert.That(e!.Message, Does.Contain("tpu").And.Contain("cpu, cuda"));
    }

    [TestCase("bf16", torch.ScalarType.BFloat16)]
    [TestCase("float16", torch.ScalarType.Float16)]
    [TestCase("fp32", torch.ScalarType.Float32)]
    public void Parses_dtypes(string name, torch.ScalarType expected) =>
        Assert.That(TorchRuntime.ParseDType(name), Is.EqualTo(expected));
}
