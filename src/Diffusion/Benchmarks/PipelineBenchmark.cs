using System.Diagnostics;
using Probe.Core.Safetensors;
using Probe.Core.Torch;
using Probe.Diffusion.Models.Autoencoders;
using Probe.Diffusion.Models.TextEncoders;
using Probe.Diffusion.Models.Unets;
using Probe.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace Probe.Diffusion.Benchmarks;

/// <summary>
/// A full-size SD 2.1 pipeline (23-layer text encoder, 865M UNet, VAE) with random weights, written to a diffusers
/// folder and loaded back through the same code as real checkpoints, then one 512×512 image with guidance denoised
/// for a few steps and decoded. Reports load and run time and peak resident memory.
/// </summary>
public sealed record PipelineBenchmark(int Size, int Steps, ScalarType DType, Device Device, string TokenizerFolder)
{
    public sealed record Result(double WriteSeconds, double LoadSeconds, double RunSeconds, double PeakRssMiB);

    public Result Run(TextWriter log)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"probe-bench-sd21-{Guid.NewGuid():N}");
        try
        {
            var write = Stopwatch.StartNew();
            WriteRandomPipeline(folder, log);
            write.Stop();
            log.WriteLine($"pipeline: random SD 2.1 written in {write.Elapsed.TotalSeconds:F1} s ({ProcessMemory.CurrentMiB():F0} MB resident)");

            var load = Stopwatch.StartNew();
            using var pipeline = TextToImagePipeline.FromPretrained(folder, new PipelineOptions { DType = DType, Device = Device, ModelId = "sd21-random" });
            load.Stop();
            log.WriteLine($"pipeline: loaded in {load.Elapsed.TotalSeconds:F1} s ({ProcessMemory.CurrentMiB():F0} MB resident)");

            var run = Stopwatch.StartNew();
            using (var result = pipeline.Generate(new TextToImageRequest
            {
                Prompts = ["a photograph of an astronaut riding a horse"], Steps = Steps, Width = Size, Height = Size, Seed = 0,
            }, step => log.WriteLine($"pipeline: step {step.StepIndex + 1}/{step.StepCount} at {run.Elapsed.TotalSeconds:F1} s")))
            {
                if (result.Images!.shape[2] != Size) throw new InvalidOperationException("unexpected image size");
            }
            run.Stop();
            log.WriteLine($"pipeline: {Steps} steps and VAE decode at {Size}x{Size} in {run.Elapsed.TotalSeconds:F1} s");
            return new Result(write.Elapsed.TotalSeconds, load.Elapsed.TotalSeconds, run.Elapsed.TotalSeconds, ProcessMemory.PeakMiB() ?? ProcessMemory.CurrentMiB());
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Writes model_index, configs, the real CLIP tokenizer and random safetensors weights, one component at a time.</summary>
    void WriteRandomPipeline(string folder, TextWriter log)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model_index.json"), StableDiffusion21Configs.ModelIndex);
        Write(folder, "scheduler", "scheduler_config.json", StableDiffusion21Configs.Scheduler);
        var tokenizer = Path.Combine(folder, "tokenizer");
        Directory.CreateDirectory(tokenizer);
        foreach (var file in Directory.GetFiles(TokenizerFolder)) File.Copy(file, Path.Combine(tokenizer, Path.GetFileName(file)));

        manual_seed(0);
        var unetConfig = Write(folder, "unet", "config.json", StableDiffusion21Configs.Unet);
        using (var unet = new UNet2DConditionModel(UNet2DConditionConfig.FromFile(unetConfig)))
            Save(unet, Path.Combine(folder, "unet", "diffusion_pytorch_model.safetensors"), log);
        var textConfig = Write(folder, "text_encoder", "config.json", StableDiffusion21Configs.TextEncoder);
        using (var text = new CLIPTextModel(CLIPTextConfig.FromFile(textConfig)))
            Save(text, Path.Combine(folder, "text_encoder", "model.safetensors"), log);
        var vaeConfig = Write(folder, "vae", "config.json", StableDiffusion21Configs.Vae);
        using (var vae = new AutoencoderKL(AutoencoderKLConfig.FromFile(vaeConfig)))
            Save(vae, Path.Combine(folder, "vae", "diffusion_pytorch_model.safetensors"), log);
    }

    static string Write(string folder, string component, string file, string text)
    {
        var dir = Path.Combine(folder, component);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, file);
        File.WriteAllText(path, text);
        return path;
    }

    static void Save(nn.Module module, string path, TextWriter log)
    {
        var tensors = module.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)).ToList();
        SafetensorsWriter.Write(path, tensors);
        log.WriteLine($"pipeline: {Path.GetFileName(Path.GetDirectoryName(path))}: {tensors.Sum(t => t.Value.numel()) / 1e6:F0}M parameters, {new FileInfo(path).Length / 1e9:F2} GB");
    }
}
