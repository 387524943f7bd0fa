using Probe.Core.Safetensors;
using Probe.Core.Weights;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.TextEncoders;

/// <summary>
/// transformers' <c>CLIPTextModel</c>: token ids [B,77] → hidden states [B,77,D] after <c>final_layer_norm</c>, the
/// prompt embedding diffusers passes to the UNet. No attention mask beyond the causal one: SD does not pass one, so
/// pad tokens are ordinary tokens.
/// </summary>
public sealed class CLIPTextModel : nn.Module<Tensor, Tensor>
{
    public readonly CLIPTextTransformer text_model;

    public CLIPTextModel(CLIPTextConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPTextModel))
    {
        Config = config;
        text_model = new CLIPTextTransformer(config, device, dtype);
        RegisterComponents();
    }

    public CLIPTextConfig Config { get; }

    /// <summary>When set, receives hidden_states.{0..L} (0 = embeddings, k = output of layer k, before the final norm).</summary>
    public Action<string, Tensor>? Observer { get; set; }

    public static CLIPTextModel FromPretrained(string componentDir, ScalarType dtype = ScalarType.Float32,
                                              Device? device = null, string? variant = null)
    {
        var config = CLIPTextConfig.FromFile(Path.Combine(componentDir, "config.json"));
        using var checkpoint = Checkpoint.OpenComponent(componentDir, variant, "model");
        var model = new CLIPTextModel(config, device, dtype);
        try
        {
            // position_ids is a constant arange that older transformers versions saved; it carries no weights.
            WeightLoader.Load(model, checkpoint, "text_encoder",
                ignorable: k => k == "text_model.embeddings.position_ids" || k.StartsWith("text_projection.", StringComparison.Ordinal));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    public override Tensor forward(Tensor inputIds) => Encode(inputIds, clipSkip: 0);

    /// <summary>
    /// Encodes token ids. <paramref name="clipSkip"/> = k uses the output of layer L−k (then the final layer norm),
    /// as diffusers' <c>clip_skip</c> does; 0 is the normal last-layer output.
    /// </summary>
    public Tensor Encode(Tensor inputIds, int clipSkip = 0)
    {
        var layers = text_model.encoder.layers;
        if (clipSkip < 0 || clipSkip >= layers.Count)
            throw new ArgumentOutOfRangeException(nameof(clipSkip), $"clip skip must be in [0, {layers.Count - 1}]");
        using var scope = NewDisposeScope();
        var hidden = text_model.embeddings.forward(inputIds);
        Observer?.Invoke("hidden_states.0", hidden);
        var last = layers.Count - clipSkip;
        for (var i = 0; i < last; i++)
        {
            hidden = layers[i].forward(hidden);
            Observer?.Invoke($"hidden_states.{i + 1}", hidden);
        }
        return text_model.final_layer_norm.forward(hidden).MoveToOuterDisposeScope();
    }
}
