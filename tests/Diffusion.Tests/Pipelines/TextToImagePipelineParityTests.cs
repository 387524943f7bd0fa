using Probe.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace Probe.Tests;

/// <summary>The whole text-to-image loop against diffusers' StableDiffusionPipeline (every fixture set, every step).</summary>
public class TextToImagePipelineParityTests
{
    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Images_and_every_step_match_diffusers(string setDir)
    {
        using var set = new ReferenceSet(setDir);
        using var scope = NewDisposeScope();
        var meta = set.Meta.GetProperty("pipeline");
        var prompts = meta.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToList();
        string? negative = meta.TryGetProperty("negative_prompt", out var n) && n.ValueKind == System.Text.Json.JsonValueKind.String ? n.GetString() : null;
        var steps = meta.GetProperty("num_inference_steps").GetInt32();
        var guidance = meta.GetProperty("guidance_scale").GetDouble();

        using var pipeline = TextToImagePipeline.FromPretrained(set.PipelineDir, new PipelineOptions { Scheduler = "ddim" });
        var request = new TextToImageRequest
        {
            Prompts = prompts, NegativePrompt = negative, Steps = steps, GuidanceScale = guidance,
            Eta = meta.GetProperty("eta").GetDouble(), Latents = set.Input("pipeline.latents"),
            Height = meta.GetProperty("height").GetInt32(), Width = meta.GetProperty("width").GetInt32(),
        };

        var promptEmbeds = pipeline.EncodePrompts(prompts);
        var negativeEmbeds = pipeline.EncodePrompts(prompts.Select(_ => negative ?? "").ToList());
        set.AssertClose("pipeline.prompt_embeds", promptEmbeds);
        set.AssertClose("pipeline.negative_prompt_embeds", negativeEmbeds);

        var seen = new List<int>();
        using var result = pipeline.Generate(request, step =>
        {
            using var stepScope = NewDisposeScope();
            var i = step.StepIndex;
            seen.Add(i);
            set.AssertClose($"pipeline.step{i}.unet_input", cat([step.Latents, step.Latents]));
            var raw = pipeline.Unet.forward(cat([step.Latents, step.Latents]), step.Timestep, cat([negativeEmbeds, promptEmbeds]));
            set.AssertClose($"pipeline.step{i}.noise_pred_raw", raw);
            set.AssertClose($"pipeline.step{i}.latents", step.NextLatents);
            Assert.That(step.Timestep.item<long>(), Is.EqualTo(set.Expected("pipeline.timesteps")[i].item<long>()));
        });

        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, steps)));
        var decodeInput = result.Latents / pipeline.Vae.Config.ScalingFactor;
        set.AssertClose("pipeline.vae_decode_input", decodeInput);
        set.AssertClose("pipeline.decoded", pipeline.Vae.Decode(decodeInput));
        set.AssertClose("pipeline.image", result.Images!.permute(0, 2, 3, 1));
    }
}
