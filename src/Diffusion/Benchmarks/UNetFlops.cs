

using Probe.Diffusion.Models.Unets;

namespace Probe.Diffusion.Benchmarks;

/// <summary>
/// Multiply-add work of one UNet forward, counted analytically from the config (2 FLOP per multiply-add): every
/// convolution, every linear projection and both attention matmuls. Norms and activations are left out; they are
/// memory-bound and small. Used to turn benchmark seconds into a rate comparable with the matmul peak.
/// </summary>
public static class UNetFlops
{
    public static double Forward(UNet2DConditionConfig c, int height, int width, int batch, int contextLength = 77)
    {
        double total = 0;
        var ch = c.BlockOutChannels;
        var n = ch.Length;
        long h = height, w = width;
        double Conv(long cin, long cout, int k, long hh, long ww) => 2.0 * cin * cout * k * k * hh * ww;
        double Linear(long cin, long cout, long tokens) => 2.0 * cin * cout * tokens;
        double Resnet(long cin, long cout, long hh, long ww) =>
            Conv(cin, cout, 3, hh, ww) + Conv(cout, cout, 3, hh, ww) + (cin != cout ? Conv(cin, cout, 1, hh, ww) : 0);
        double Transformer(int level, long channels, long hh, long ww)
        {
            var tokens = hh * ww;
            var ctx = c.CrossAttentionDim[level];
            double f = 2 * Linear(channels, channels, tokens); // proj_in, proj_out
            for (var l = 0; l < c.TransformerLayersPerBlock[level]; l++)
            {
                f += 4 * Linear(channels, channels, tokens) + 2 * 2.0 * tokens * tokens * channels;          // attn1
                f += 2 * Linear(channels, channels, tokens) + 2 * Linear(ctx, channels, contextLength)       // attn2
                     + 2 * 2.0 * tokens * contextLength * channels;
                f += Linear(channels, 8 * channels, tokens) + Linear(4 * channels, channels, tokens);        // GEGLU ff
            }
            return f;
        }

        total += Conv(c.InChannels, ch[0], c.ConvInKernel, h, w);
        var skips = new Stack<long>();
        skips.Push(ch[0]);
        long output = ch[0];
        for (var i = 0; i < n; i++)
        {
            var input = output;
            output = ch[i];
            for (var l = 0; l < c.LayersPerBlock[i]; l++)
            {
                total += Resnet(l == 0 ? input : output, output, h, w);
                if (c.DownBlockTypes[i] == "CrossAttnDownBlock2D") total += Transformer(i, output, h, w);
                skips.Push(output);
            }
            if (i < n - 1)
            {
                h = (h + 1) / 2;
                w = (w + 1) / 2;
                total += Conv(output, output, 3, h, w);
                skips.Push(output);
            }
        }

        total += 2 * Resnet(ch[^1], ch[^1], h, w) + Transformer(n - 1, ch[^1], h, w);

        var reversed = ch.Reverse().ToArray();
        var layers = c.LayersPerBlock.Reverse().ToArray();
        output = reversed[0];
        for (var i = 0; i < n; i++)
        {
            var prev = output;
            output = reversed[i];
            for (var l = 0; l < layers[i] + 1; l++)
            {
                var skip = skips.Pop();
                total += Resnet((l == 0 ? prev : output) + skip, output, h, w);
                if (c.UpBlockTypes[i] == "CrossAttnUpBlock2D") total += Transformer(n - 1 - i, output, h, w);
            }
            if (i < n - 1)
            {
                h *= 2;
                w *= 2;
                total += Conv(output, output, 3, h, w);
            }
        }
        total += Conv(ch[0], c.OutChannels, c.ConvOutKernel, h, w);
        return total * batch;
    }
}
