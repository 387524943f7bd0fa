using System.Text.Json.Nodes;
using Probe.Nsfw.Classifier.Tfjs;
using static Probe.Tests.Support.TinyTfjsModel;
using static TorchSharp.torch;

namespace Probe.Tests.Tfjs;

/// <summary>Keras semantics the port must keep, on tiny models whose outputs are worked out by hand.</summary>
public class TfjsLayersModelTests
{
    TempDir folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempDir();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    static float[] Run(string modelJson, float[] nhwc, params long[] shape)
    {
        using var scope = NewDisposeScope();
        using var model = TfjsModelLoader.Load(modelJson);
        using var noGrad = no_grad();
        return model.call(tensor(nhwc, shape)).contiguous().data<float>().ToArray();
    }

    static float[] Arange(int n) => Enumerable.Range(0, n).Select(i => (float)i).ToArray();

    [Test]
    public void Same_padding_with_stride_two_pads_only_after_like_tensorflow()
    {
        // 4x4 input 0..15, 3x3 kernel of ones, stride 2: TF pads 0 before and 1 after (PyTorch would pad 1 and 1).
        var path = Write(folder.Path,
        [
            Input("in", 4, 4, 1),
            Layer("conv", "Conv2D", new JsonObject
            {
                ["filters"] = 1, ["kernel_size"] = new JsonArray(3, 3), ["strides"] = new JsonArray(2, 2),
                ["padding"] = "same", ["use_bias"] = false, ["activation"] = "linear",
            }, "in"),
        ], [new Weight("conv/kernel", [3, 3, 1, 1], Enumerable.Repeat(1f, 9).ToArray())]);
        Assert.That(Run(path, Arange(16), 1, 4, 4, 1), Is.EqualTo(new[] { 45f, 39, 66, 50 }));
    }

    [Test]
    public void Average_pooling_with_same_padding_divides_by_in_bounds_pixels()
    {
        // 3x3 input 0..8. 3x3/1 same: corner = mean(0,1,3,4) = 2, centre = 4.
        // 2x2/1 same (pads only after): (0,0) = mean(0,1,3,4) = 2, (2,0) = mean(6,7) = 6.5, (2,2) = 8.
        var path = Write(folder.Path,
        [
            Input("in", 3, 3, 1),
            Layer("p3", "AveragePooling2D", new JsonObject { ["pool_size"] = new JsonArray(3, 3), ["strides"] = new JsonArray(1, 1), ["padding"] = "same" }, "in"),
            Layer("p2", "AveragePooling2D", new JsonObject { ["pool_size"] = new JsonArray(2, 2), ["strides"] = new JsonArray(1, 1), ["padding"] = "same" }, "in"),
            Layer("both", "Concatenate", new JsonObject { ["axis"] = 3 }, "p3", "p2"),
        ], []);
        var y = Run(path, Arange(9), 1, 3, 3, 1); // NHWC [1,3,3,2]: (p3, p2) per pixel
        Assert.That(new[] { y[0], y[8], y[1], y[12 + 1], y[16 + 1] }, Is.EqualTo(new[] { 2f, 4f, 2f, 6.5f, 8f }));
    }

    [Test]
    public void Batch_normalization_without_scale_uses_gamma_one_and_relu6_clips()
    {
        // BN: (x - 1) / sqrt(3 + 1) + 0.5 with epsilon 1; then ReLU6.
        var path = Write(folder.Path,
        [
            Input("in", 1, 1, 1),
            Layer("bn", "BatchNormalization", new JsonObject { ["axis"] = -1, ["epsilon"] = 1.0, ["center"] = true, ["scale"] = false }, "in"),
            Layer("relu", "ReLU", new JsonObject { ["max_value"] = 6 }, "bn"),
        ], [new Weight("bn/beta", [1], [0.5f]), new Weight("bn/moving_mean", [1], [1f]), new Weight("bn/moving_variance", [1], [3f])]);
        Assert.That(new[] { Run(path, [5f], 1, 1, 1, 1)[0], Run(path, [-9f], 1, 1, 1, 1)[0], Run(path, [99f], 1, 1, 1, 1)[0] },
            Is.EqualTo(new[] { 2.5f, 0f, 6f }));
    }

    [Test]
    public void Depthwise_convolution_keeps_channels_separate_and_dense_softmax_normalises()
    {
        // 1x1 depthwise on two channels (×2, ×-1), flatten, Dense with identity kernel and softmax.
        var path = Write(folder.Path,
        [
            Input("in", 1, 1, 2),
            Layer("dw", "DepthwiseConv2D", new JsonObject { ["kernel_size"] = new JsonArray(1, 1), ["padding"] = "valid", ["use_bias"] = false }, "in"),
            Layer("flat", "Flatten", new JsonObject(), "dw"),
            Layer("drop", "Dropout", new JsonObject { ["rate"] = 0.5 }, "flat"),
            Layer("dense", "Dense", new JsonObject { ["units"] = 2, ["activation"] = "softmax" }, "drop"),
        ], [new Weight("dw/depthwise_kernel", [1, 1, 2, 1], [2f, -1f]), new Weight("dense/kernel", [2, 2], [1, 0, 0, 1]), new Weight("dense/bias", [2], [0, 0])]);
        var y = Run(path, [1f, 1f], 1, 1, 1, 2); // logits (2, -1)
        Assert.That(y, Is.EqualTo(new[] { 1 / (1 + Math.Exp(-3)), 1 / (1 + Math.Exp(3)) }).Within(1e-6));
    }

    [Test]
    public void An_unsupported_layer_is_named_with_its_type()
    {
        var path = Write(folder.Path, [Input("in", 2, 2, 1), Layer("sep", "SeparableConv2D", new JsonObject(), "in")], []);
        var e = Assert.Throws<TfjsModelException>(() => TfjsModelLoader.Load(path));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain("layer 'sep' (SeparableConv2D): layer type not supported"));
    }

    [Test]
    public void A_missing_weight_is_named_with_its_layer()
    {
        var path = Write(folder.Path, [Input("in", 1, 1, 1), Layer("bn", "BatchNormalization", new JsonObject(), "in")], [new Weight("bn/moving_mean", [1], [0f])]);
        var e = Assert.Throws<TfjsModelException>(() => TfjsModelLoader.Load(path));
        Assert.That(e!.Message, Does.Contain("layer 'bn' (BatchNormalization): weight 'bn/moving_variance' is not in the weights manifest"));
    }

    [Test]
    public void A_weight_of_the_wrong_shape_is_reported_with_both_shapes()
    {
        var path = Write(folder.Path,
        [
            Input("in", 1, 1, 2),
            Layer("flat", "Flatten", new JsonObject(), "in"),
            Layer("dense", "Dense", new JsonObject { ["units"] = 3 }, "flat"),
        ], [new Weight("dense/kernel", [2, 2], [1, 0, 0, 1]), new Weight("dense/bias", [3], [0, 0, 0])]);
        var e = Assert.Throws<TfjsModelException>(() => TfjsModelLoader.Load(path));
        Assert.That(e!.Message, Does.Contain("layer 'dense' (Dense): weight 'dense/kernel' has shape [2,2], the layer expects [?,3]"));
    }

    [Test]
    public void Weights_that_belong_to_no_layer_are_reported()
    {
        var path = Write(folder.Path, [Input("in", 1, 1, 1), Layer("flat", "Flatten", new JsonObject(), "in")], [new Weight("ghost/kernel", [1], [1f])]);
        var e = Assert.Throws<TfjsModelException>(() => TfjsModelLoader.Load(path));
        Assert.That(e!.Message, Does.Contain("belong to no layer, e.g. 'ghost/kernel'"));
    }

    [Test]
    public void An_unknown_activation_is_named()
    {
        var path = Write(folder.Path, [Input("in", 1, 1, 1), Layer("act", "Activation", new JsonObject { ["activation"] = "gelu" }, "in")], []);
        var e = Assert.Throws<TfjsModelException>(() => TfjsModelLoader.Load(path));
        Assert.That(e!.Message, Does.Contain("layer 'act' (Activation): activation 'gelu' is not supported"));
    }

    [Test]
    public void An_input_from_an_undefined_layer_is_reported()
    {
        var path = Write(folder.Path, [Input("in", 1, 1, 1), Layer("flat", "Flatten", new JsonObject(), "nowhere")], []);
        var e = Assert.Throws<TfjsModelException>(() => TfjsModelLoader.Load(path));
        Assert.That(e!.Message, Does.Contain("layer 'flat' (Flatten): input 'nowhere' is not a layer defined before it"));
    }

    [TestCase("{ not json", "not valid JSON")]
    [TestCase("{\"format\": \"layers-model\"}", "no 'modelTopology'")]
    [TestCase("{\"modelTopology\": {\"model_config\": {\"class_name\": \"Sequential\", \"config\": []}}, \"weightsManifest\": []}", "model class 'Sequential' is not supported")]
    public void Malformed_model_json_is_reported_against_the_file(string content, string problem)
    {
        var path = folder.File("model.json");
        File.WriteAllText(path, content);
        var e = Assert.Throws<TfjsModelException>(() => TfjsModelLoader.Load(folder.Path));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain(problem));
    }

    [Test]
    public void A_missing_shard_is_named()
    {
        var path = Write(folder.Path, [Input("in", 1, 1, 1), Layer("flat", "Flatten", new JsonObject(), "in")], []);
        File.Delete(folder.File("group1-shard1of1"));
        var e = Assert.Throws<TfjsModelException>(() => TfjsModelLoader.Load(path));
        Assert.That(e!.Message, Does.Contain("shard 'group1-shard1of1': file not found"));
    }

    [Test]
    public void An_unsupported_graph_op_is_named_with_its_node()
    {
        var path = folder.File("model.json");
        File.WriteAllText(path, """
            {"format": "graph-model", "modelTopology": {"node": [
              {"name": "input", "op": "Placeholder", "attr": {"shape": {"shape": {"dim": [{"size": "-1"}, {"size": "2"}, {"size": "2"}, {"size": "1"}]}}}},
              {"name": "gelu", "op": "Gelu", "input": ["input"]}]},
             "weightsManifest": []}
            """);
        var e = Assert.Throws<TfjsModelException>(() => TfjsModelLoader.Load(path));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain("node 'gelu' (Gelu): op not supported"));
    }
}
