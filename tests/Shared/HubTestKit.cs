
using Probe.Core.Hub;

namespace Probe.Tests.Hub;

/// <summary>Shared setup for hub tests: the fixture pipeline as repo files, settings pointing at a temp cache, fast options.</summary>
public static class HubTestKit
{
    public const string RepoId = "probe-tests/sd21-tiny";

    public static string FixturePipeline => Path.Combine(Fixtures.Root, "sd21-tiny", "pipeline");

    /// <summary>Every file of the fixture pipeline, by path relative to it ('/'-separated).</summary>
    public static Dictionary<string, byte[]> FixtureFiles() =>
        Directory.EnumerateFiles(FixturePipeline, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(FixturePipeline, f).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);

    /// <summary>The fixture plus files a hub repo has but a pipeline download must skip.</summary>
    public static Dictionary<string, byte[]> FixtureWithDecoys()
    {
        var files = FixtureFiles();
        files["README.md"] = "# tiny"u8.ToArray();
        files[".gitattributes"] = "*.safetensors filter=lfs"u8.ToArray();
        files["unet/diffusion_pytorch_model.bin"] = new byte[1000];
        files["vae/diffusion_pytorch_model.fp16.safetensors"] = new byte[2000];
        files["text_encoder/flax_model.msgpack"] = new byte[3000];
        files["sample.png"] = new byte[100];
        return files;
    }

    public const string TransformersRepoId = "probe-tests/clip-text-tiny";

    /// <summary>
    /// A transformers model repo built from the fixture's CLIP text encoder (its config.json and model.safetensors),
    /// with the fixture's tokenizer configs, a small tokenizer.json, a generation config and a chat template. The
    /// resolver reads none of them but config.json, so only their names matter.
    /// </summary>
    public static Dictionary<string, byte[]> TransformersFiles()
    {
        byte[] Fixture(string path) => File.ReadAllBytes(Path.Combine(FixturePipeline, path));
        return new(StringComparer.Ordinal)
        {
            ["config.json"] = Fixture("text_encoder/config.json"),
            ["model.safetensors"] = Fixture("text_encoder/model.safetensors"),
            ["tokenizer.json"] = """{"version": "1.0", "added_tokens": [], "model": {"type": "BPE", "vocab": {}, "merges": []}}"""u8.ToArray(),
            ["tokenizer_config.json"] = Fixture("tokenizer/tokenizer_config.json"),
            ["special_tokens_map.json"] = Fixture("tokenizer/special_tokens_map.json"),
            ["generation_config.json"] = """{"bos_token_id": 0, "eos_token_id": 2}"""u8.ToArray(),
            ["chat_template.jinja"] = "{% for message in messages %}{{ message['content'] }}{% endfor %}"u8.ToArray(),
        };
    }

    /// <summary>The transformers model plus what such repos also hold and a download must skip.</summary>
    public static Dictionary<string, byte[]> TransformersWithDecoys()
    {
        var files = TransformersFiles();
        files["README.md"] = "# tiny"u8.ToArray();
        files[".gitattributes"] = "*.safetensors filter=lfs"u8.ToArray();
        files["pytorch_model.bin"] = new byte[1000];
        files["model.fp16.safetensors"] = new byte[2000];
        files["flax_model.msgpack"] = new byte[3000];
        files["tf_model.h5"] = new byte[4000];
        files["onnx/model.onnx"] = new byte[500];
        files["original/consolidated.00.pth"] = new byte[600];
        files["training_args.bin"] = new byte[70];
        files["vocab.json"] = File.ReadAllBytes(Path.Combine(FixturePipeline, "tokenizer", "vocab.json"));
        files["merges.txt"] = File.ReadAllBytes(Path.Combine(FixturePipeline, "tokenizer", "merges.txt"));
        return files;
    }

    public static HubSettings Settings(string cacheDir, string endpoint = "http://127.0.0.1:9", string? token = null, bool offline = false) =>
        new(endpoint, cacheDir, token, offline);

    /// <summary>Short waits so failure paths finish in milliseconds; a progress report for every chunk.</summary>
    public static HubOptions FastOptions { get; } = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(10),
        StallTimeout = TimeSpan.FromSeconds(10),
        RetryDelay = TimeSpan.FromMilliseconds(10),
        LockTimeout = TimeSpan.FromSeconds(10),
        ProgressInterval = TimeSpan.Zero,
    };

    /// <summary>The whole pipeline folder as path → bytes, following symlinks.</summary>
    public static Dictionary<string, byte[]> ReadFolder(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);

    /// <summary>Collects reports synchronously (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
    public sealed class ProgressLog : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = [];

        public void Report(DownloadProgress value)
        {
            lock (Reports) Reports.Add(value);
        }
    }
}
