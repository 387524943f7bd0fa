using System.Globalization;
using Probe.Core.Lora;
using Probe.Diffusion.Lora;
using Probe.Diffusion.Pipelines;
using Probe.Runner.Cli;
using Probe.Runner.Config;

namespace Probe.Runner.Evaluation;

/// <summary>Applies the run's LoRA files to a pipeline's UNet, stacked in order, each with its scale.</summary>
public static class LoraLoading
{
    /// <summary>Returns the label recorded in samples.csv: "file.safetensors:scale", joined by '+'.</summary>
    public static string Apply(TextToImagePipeline pipeline, IReadOnlyList<LoraSpec> loras, TextWriter log)
    {
        if (loras.Count == 0) return "";
        var unet = UNetLora.Of(pipeline.Unet);
        for (var i = 0; i < loras.Count; i++)
        {
            var spec = loras[i];
            if (!File.Exists(spec.Path)) throw new UserError($"{spec.Path}: LoRA file not found");
            try
            {
                var adapter = unet.LoadAdapter(spec.Path, $"lora{i}", spec.Scale, trainable: false, ignoreTextEncoder: true);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lora: {spec.Path} ×{spec.Scale} on {adapter.ModulePaths.Count} layers"));
            }
            catch (LoraFormatException e)
            {
                throw new UserError(e.Message, e);
            }
        }
        return string.Join("+", loras.Select(l => string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(l.Path)}:{l.Scale}")));
    }
}
