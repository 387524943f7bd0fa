using Probe.Diffusion.Torch;
using TorchSharp;

TorchRuntime.EnsureLoaded();
Console.WriteLine($"libtorch {TorchRuntime.LibTorchVersion}, TorchSharp {TorchRuntime.TorchSharpVersion}");
using var x = torch.ones(2, 2);
Console.WriteLine(x.sum().item<float>());
return 0;
