using Probe.Core.Safetensors;
using Probe.Core.Weights;
using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Unets;

/// <summary>
/// diffusers' <c>UNet2DConditionModel</c> for SD 1.x / 2.x: predicts the noise (or v) in latents
/// <c>sample</c> [B,C,h,w] at <c>timestep</c> given text states [B,77,D]. Parameter names equal the checkpoint keys.
/// </summary>
public sealed class UNet2DConditionModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    public readonly Conv2d conv_in;
    public readonly TimestepEmbedding time_embedding;
    public readonly ModuleList<nn.Module> down_blocks;
    public readonly UNetMidBlock2DCrossAttn mid_block;
    public readonly ModuleList<nn.Module> up_blocks;
    public readonly GroupNorm conv_norm_out;
    public readonly Conv2d conv_out;

    public UNet2DConditionModel(UNet2DConditionConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(UNet2DConditionModel))
    {
        Config = config;
        var ch = config.BlockOutChannels;
        var n = ch.Length;
        var temb = ch[0] * 4L;

        conv_in = nn.Conv2d(config.InChannels, ch[0], config.ConvInKernel, padding: (config.ConvInKernel - 1) / 2, device: device, dtype: dtype);
        time_embedding = new TimestepEmbedding(ch[0], temb, device, dtype);

        UNetBlockSpec Spec(int level, long inCh, long outCh, int layers, bool sampler) => new()
        {
            InChannels = inCh, OutChannels = outCh, TembChannels = temb, Layers = layers, AddSampler = sampler,
            TransformerLayers = config.TransformerLayersPerBlock[level], Heads = config.NumAttentionHeads[level],
            CrossAttentionDim = config.CrossAttentionDim[level], Groups = config.NormNumGroups, Eps = config.NormEps,
            OutputScaleFactor = config.ResnetOutScaleFactor, DownsamplePadding = config.DownsamplePadding,
            UseLinearProjection = config.UseLinearProjection, UpcastAttention = config.UpcastAttention,
            OnlyCrossAttention = config.OnlyCrossAttention[level], Device = device, DType = dtype,
        };

        var down = new List<nn.Module>();
        long output = ch[0];
        for (var i = 0; i < n; i++)
        {
            var input = output;
            output = ch[i];
            var spec = Spec(i, input, output, config.LayersPerBlock[i], sampler: i < n - 1);
            down.Add(config.DownBlockTypes[i] == "CrossAttnDownBlock2D" ? new CrossAttnDownBlock2D(spec) : new DownBlock2D(spec));
        }
        down_blocks = nn.ModuleList(down.ToArray());

        mid_block = new UNetMidBlock2DCrossAttn(Spec(n - 1, ch[^1], ch[^1], config.TransformerLayersPerBlock[^1], false) with
        {
            OutputScaleFactor = config.MidBlockScaleFactor,
        });

        var up = new List<nn.Module>();
        var reversed = ch.Reverse().ToArray();
        var reversedLayers = config.LayersPerBlock.Reverse().ToArray();
        output = reversed[0];
        for (var i = 0; i < n; i++)
        {
            var prev = output;
            output = reversed[i];
            var input = reversed[Math.Min(i + 1, n - 1)];
            var level = n - 1 - i;
            var spec = Spec(level, input, output, reversedLayers[i] + 1, sampler: i < n - 1);
            up.Add(config.UpBlockTypes[i] == "CrossAttnUpBlock2D" ? new CrossAttnUpBlock2D(spec, prev) : new UpBlock2D(spec, prev));
        }
        up_blocks = nn.ModuleList(up.ToArray());

        conv_norm_out = nn.GroupNorm(config.NormNumGroups, ch[0], config.NormEps, affine: true, device: device, dtype: dtype);
        conv_out = nn.Conv2d(ch[0], config.OutChannels, config.ConvOutKernel, padding: (config.ConvOutKernel - 1) / 2, device: device, dtype: dtype);
        RegisterComponents();
    }

    public UNet2DConditionConfig Config { get; }

    /// <summary>Builds the UNet from <c>config.json</c> in <paramref name="componentDir"/> and loads its weights.</summary>
    public static UNet2DConditionModel FromPretrained(string componentDir, ScalarType dtype = ScalarType.Float32,
                                                     Device? device = null, string? variant = null)
    {
        var config = UNet2DConditionConfig.FromFile(Path.Combine(componentDir, "config.json"));
        using var checkpoint = Checkpoint.OpenComponent(componentDir, variant, "diffusion_pytorch_model");
        var model = new UNet2DConditionModel(config, device, dtype);
        try
        {
            WeightLoader.Load(model, checkpoint, "unet");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>
    /// Checkpoint every resnet and transformer (as diffusers' <c>enable_gradient_checkpointing</c>): their activations
    /// are recomputed in backward instead of kept, trading one extra forward for memory while training.
    /// </summary>
    public bool GradientCheckpointing
    {
        get => modules().OfType<ResnetBlock2D>().Any(r => r.GradientCheckpointing);
        set
        {
            foreach (var module in modules())
            {
                if (module is ResnetBlock2D resnet) resnet.GradientCheckpointing = value;
                else if (module is Transformer2DModel transformer) transformer.GradientCheckpointing = value;
            }
        }
    }

    /// <summary>When set, receives intermediate outputs by their diffusers debug names (time_proj, conv_in, down_blocks.0, …).</summary>
    public Action<string, Tensor>? Observer { get; set; }

    /// <param name="sample">Noisy latents [B,C,h,w].</param>
    /// <param name="timestep">A scalar or one timestep per sample.</param>
    /// <param name="encoderHiddenStates">Text encoder states [B,77,D].</param>
    public override Tensor forward(Tensor sample, Tensor timestep, Tensor encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        // Sizes that are not multiples of 2^(upsamplers) need explicit upsample sizes, as in diffusers.
        var factor = 1L << (up_blocks.Count - 1);
        var forwardUpsampleSize = sample.shape[2] % factor != 0 || sample.shape[3] % factor != 0;

        if (Config.CenterInputSample) sample = sample * 2.0 - 1.0;

        var timesteps = timestep.dim() == 0 ? timestep.reshape(1) : timestep;
        timesteps = timesteps.to(sample.device).expand(sample.shape[0]);
        var tProj = Timesteps.Embed(timesteps, (int)conv_in.out_channels, Config.FlipSinToCos, Config.FreqShift);
        Observe("time_proj", tProj);
        var emb = time_embedding.forward(tProj.to(sample.dtype));
        Observe("time_embedding", emb);

        var hidden = conv_in.forward(sample);
        Observe("conv_in", hidden);
        var skips = new List<Tensor> { hidden };
        for (var i = 0; i < down_blocks.Count; i++)
        {
            var (h, s) = ((IUNetDownBlock)down_blocks[i]).Forward(hidden, emb, encoderHiddenStates);
            hidden = h;
            skips.AddRange(s);
            Observe($"down_blocks.{i}", hidden);
        }

        hidden = mid_block.forward(hidden, emb, encoderHiddenStates);
        Observe("mid_block", hidden);

        for (var i = 0; i < up_blocks.Count; i++)
        {
            var block = (IUNetUpBlock)up_blocks[i];
            var mine = skips.GetRange(skips.Count - block.ResnetCount, block.ResnetCount);
            skips.RemoveRange(skips.Count - block.ResnetCount, block.ResnetCount);
            long[]? upsampleSize = i < up_blocks.Count - 1 && forwardUpsampleSize ? skips[^1].shape[2..] : null;
            hidden = block.Forward(hidden, mine, emb, encoderHiddenStates, upsampleSize);
            Observe($"up_blocks.{i}", hidden);
        }

        hidden = conv_norm_out.forward(hidden);
        Observe("conv_norm_out", hidden);
        hidden = conv_out.forward(nn.functional.silu(hidden));
        Observe("conv_out", hidden);
        return hidden.MoveToOuterDisposeScope();
    }

    void Observe(string name, Tensor value) => Observer?.Invoke(name, value);
}
