using Probe.Core.Configuration;

namespace Probe.Diffusion.Models.Unets;

/// <summary>
/// The keys of diffusers' <c>UNet2DConditionModel</c> config that SD 1.x / 2.x checkpoints use. Per-block values are
/// broadcast to one entry per down block, as diffusers does. Note diffusers' naming quirk: when
/// <c>num_attention_heads</c> is absent, <c>attention_head_dim</c> is the NUMBER of heads per block.
/// </summary>
public sealed record UNet2DConditionConfig
{
    public int SampleSize { get; init; } = 64;
    public int InChannels { get; init; } = 4;
    public int OutChannels { get; init; } = 4;
    public bool FlipSinToCos { get; init; } = true;
    public int FreqShift { get; init; }
    public string[] DownBlockTypes { get; init; } = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"];
    public string MidBlockType { get; init; } = "UNetMidBlock2DCrossAttn";
    public string[] UpBlockTypes { get; init; } = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"];
    public int[] BlockOutChannels { get; init; } = [320, 640, 1280, 1280];
    public int[] LayersPerBlock { get; init; } = [2, 2, 2, 2];
    public int DownsamplePadding { get; init; } = 1;
    public double MidBlockScaleFactor { get; init; } = 1.0;
    public int NormNumGroups { get; init; } = 32;
    public double NormEps { get; init; } = 1e-5;
    public int[] CrossAttentionDim { get; init; } = [1280, 1280, 1280, 1280];
    public int[] TransformerLayersPerBlock { get; init; } = [1, 1, 1, 1];
    /// <summary>Heads per down block (resolved from num_attention_heads, else attention_head_dim).</summary>
    public int[] NumAttentionHeads { get; init; } = [8, 8, 8, 8];
    public bool[] OnlyCrossAttention { get; init; } = [false, false, false, false];
    public bool UseLinearProjection { get; init; }
    public bool UpcastAttention { get; init; }
    public double ResnetOutScaleFactor { get; init; } = 1.0;
    public int ConvInKernel { get; init; } = 3;
    public int ConvOutKernel { get; init; } = 3;
    public bool CenterInputSample { get; init; }

    public static UNet2DConditionConfig FromFile(string path) => FromJson(ConfigJson.Load(path));

    public static UNet2DConditionConfig FromJson(ConfigJson c)
    {
        // Features of the full diffusers class that no SD 1.x/2.x checkpoint uses: refuse them clearly rather than
        // silently computing something else.
        c.Require("act_fn", "silu");
        c.Require("class_embed_type");
        c.Require("addition_embed_type");
        c.Require("encoder_hid_dim");
        c.Require("encoder_hid_dim_type");
        c.Require("time_embedding_type", "positional");
        c.Require("time_cond_proj_dim");
        c.Require("time_embedding_act_fn");
        c.Require("timestep_post_act");
        c.Require("time_embedding_dim");
        c.Require("resnet_time_scale_shift", "default");
        c.Require("resnet_skip_time_act", false);
        c.Require("dual_cross_attention", false);
        c.Require("attention_type", "default");
        c.Require("num_class_embeds");
        c.Require("cross_attention_norm");
        c.Require("mid_block_only_cross_attention", false);
        c.Require("reverse_transformer_layers_per_block");
        c.Require("mid_block_type", "UNetMidBlock2DCrossAttn");
        c.Require("dropout", 0);

        var blockOut = c.IntList("block_out_channels", [320, 640, 1280, 1280]);
        var n = blockOut.Length;
        var down = c.StringList("down_block_types", ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]);
        var up = c.StringList("up_block_types", ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]);
        if (down.Length != n || up.Length != n)
            throw new ConfigException(c.Source, "down_block_types", $"has {down.Length} down and {up.Length} up blocks but block_out_channels has {n}");
        foreach (var t in down)
            if (t is not ("CrossAttnDownBlock2D" or "DownBlock2D"))
                throw new ConfigException(c.Source, "down_block_types", $"contains unsupported block '{t}' (supported: CrossAttnDownBlock2D, DownBlock2D)");
        foreach (var t in up)
            if (t is not ("CrossAttnUpBlock2D" or "UpBlock2D"))
                throw new ConfigException(c.Source, "up_block_types", $"contains unsupported block '{t}' (supported: CrossAttnUpBlock2D, UpBlock2D)");

        var heads = c.IntOrList("num_attention_heads", n) ?? c.IntOrList("attention_head_dim", n) ?? Enumerable.Repeat(8, n).ToArray();
        for (var i = 0; i < n; i++)
            if (heads[i] <= 0 || blockOut[i] % heads[i] != 0)
                throw new ConfigException(c.Source, "attention_head_dim", $"gives {heads[i]} heads for block {i} whose {blockOut[i]} channels it does not divide");
        var groups = c.Int("norm_num_groups", 32);
        foreach (var ch in blockOut)
            if (groups <= 0 || ch % groups != 0)
                throw new ConfigException(c.Source, "norm_num_groups", $"= {groups} does not divide block channels {ch}");

        return new UNet2DConditionConfig
        {
            SampleSize = c.Int("sample_size", 64),
            InChannels = c.Int("in_channels", 4),
            OutChannels = c.Int("out_channels", 4),
            FlipSinToCos = c.Bool("flip_sin_to_cos", true),
            FreqShift = c.Int("freq_shift", 0),
            DownBlockTypes = down,
            UpBlockTypes = up,
            BlockOutChannels = blockOut,
            LayersPerBlock = c.IntOrList("layers_per_block", n) ?? Enumerable.Repeat(2, n).ToArray(),
            DownsamplePadding = c.Int("downsample_padding", 1),
            MidBlockScaleFactor = c.Double("mid_block_scale_factor", 1.0),
            NormNumGroups = groups,
            NormEps = c.Double("norm_eps", 1e-5),
            CrossAttentionDim = c.IntOrList("cross_attention_dim", n) ?? Enumerable.Repeat(1280, n).ToArray(),
            TransformerLayersPerBlock = c.IntOrList("transformer_layers_per_block", n) ?? Enumerable.Repeat(1, n).ToArray(),
            NumAttentionHeads = heads,
            OnlyCrossAttention = c.BoolOrList("only_cross_attention", n, false),
            UseLinearProjection = c.Bool("use_linear_projection", false),
            UpcastAttention = c.Bool("upcast_attention", false),
            ResnetOutScaleFactor = c.Double("resnet_out_scale_factor", 1.0),
            ConvInKernel = c.Int("conv_in_kernel", 3),
            ConvOutKernel = c.Int("conv_out_kernel", 3),
            CenterInputSample = c.Bool("center_input_sample", false),
        };
    }

    /// <summary>The Stable Diffusion 2.1 (768-v) UNet: 865M parameters.</summary>
    public static UNet2DConditionConfig StableDiffusion21 { get; } = new()
    {
        SampleSize = 96,
        CrossAttentionDim = [1024, 1024, 1024, 1024],
        NumAttentionHeads = [5, 10, 20, 20],
        UseLinearProjection = true,
        UpcastAttention = true,
    };
}
