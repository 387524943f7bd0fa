
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
