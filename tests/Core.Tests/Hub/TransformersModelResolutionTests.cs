using Probe.Core.Hub;
using Probe.Core.Safetensors;

namespace Probe.Tests.Hub;

/// <summary>A transformers model repo resolves like a pipeline: from a folder, from the cache, or by a download of only what it needs.</summary>
public class TransformersModelResolutionTests
{
    const string RepoId = HubTestKit.TransformersRepoId;

    static ModelRequest Request(string model, string? variant = null) =>
        new(model, Variant: variant) { Layout = TransformersModelLayout.Instance };

    static async Task<ResolvedModel> Resolve(HubSettings settings, ModelRequest request)
    {
        using var resolver = new ModelResolver(settings, HubTestKit.FastOptions with { MaxAttempts = 1 });
        return await resolver.ResolveAsync(request);
    }

    static TempDir Folder(IReadOnlyDictionary<string, byte[]> files)
    {
        var dir = new TempDir();
        foreach (var (path, bytes) in files) File.WriteAllBytes(dir.File(path), bytes);
        return dir;
    }

    static (Dictionary<string, byte[]> Files, string[] Tensors) Sharded()
    {
        using var shardDir = new TempDir();
        var files = HubTestKit.TransformersFiles();
        using var whole = SafetensorsFile.Open(Path.Combine(HubTestKit.FixturePipeline, "text_encoder", "model.safetensors"));
        var names = whole.Tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        var halves = new[] { names[..(names.Length / 2)], names[(names.Length / 2)..] };
        var map = new Dictionary<string, string>();
        for (var i = 0; i < 2; i++)
        {
            var shard = $"model-0000{i + 1}-of-00002.safetensors";
            var path = Path.Combine(shardDir.Path, shard);
            SafetensorsWriter.Write(path, halves[i].Select(n => new KeyValuePair<string, TorchSharp.torch.Tensor>(n, whole.Load(n))));
            files[shard] = File.ReadAllBytes(path);
            foreach (var n in halves[i]) map[n] = shard;
        }
        files["model.safetensors.index.json"] = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { weight_map = map });
        files["model-00003-of-00003.safetensors"] = new byte[10]; // a stray shard no index names
        files.Remove("model.safetensors");
        return (files, names);
    }

    [Test]
    public async Task A_transformers_folder_resolves_to_itself_with_its_model_files()
    {
        using var dir = Folder(HubTestKit.TransformersWithDecoys());
        using var cache = new TempDir("probe-cache");
        var model = await Resolve(HubTestKit.Settings(cache.Path, offline: true), Request(dir.Path));

        Assert.That((model.Source, model.Path, model.RepoId), Is.EqualTo((ModelSource.LocalFolder, dir.Path, (string?)null)));
        Assert.That(model.Files, Is.EqualTo(HubTestKit.TransformersFiles().Keys.Order(StringComparer.Ordinal)));
    }

    [Test]
    public async Task A_diffusers_pipeline_folder_is_not_a_transformers_model_folder()
    {
        using var cache = new TempDir("probe-cache");
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() =>
            Resolve(HubTestKit.Settings(cache.Path, offline: true), Request(HubTestKit.FixturePipeline)));
        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.InvalidModel));
        Assert.That(e.Message, Is.EqualTo($"{HubTestKit.FixturePipeline} has no config.json: not a transformers model folder " +
                                          "(save one with model.save_pretrained(dir) and tokenizer.save_pretrained(dir))"));
    }

    [Test]
    public async Task A_transformers_folder_asked_for_as_a_pipeline_is_still_refused_as_before()
    {
        using var dir = Folder(HubTestKit.TransformersFiles());
        using var cache = new TempDir("probe-cache");
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() =>
            Resolve(HubTestKit.Settings(cache.Path, offline: true), new ModelRequest(dir.Path)));
        Assert.That(e!.Message, Does.StartWith($"{dir.Path} has no model_index.json: not a diffusers pipeline folder (save one with pipe.save_pretrained(dir))"));
    }

    [Test]
    public async Task A_folder_with_only_pickle_weights_is_refused_with_the_conversion()
    {
        var files = HubTestKit.TransformersFiles();
        files.Remove("model.safetensors");
        files["pytorch_model.bin"] = [0x80, 2];
        using var dir = Folder(files);
        using var cache = new TempDir("probe-cache");
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(HubTestKit.Settings(cache.Path, offline: true), Request(dir.Path)));
        Assert.That(e!.Message, Does.StartWith($"{dir.Path} is not a complete model: weights only in pytorch_model.bin, which Probe does not read"));
    }

    [Test]
    public async Task A_cached_snapshot_is_used_as_it_is_without_the_network()
    {
        using var cache = new HandBuiltCache(RepoId, HubTestKit.TransformersWithDecoys());
        var model = await Resolve(HubTestKit.Settings(cache.Root), Request(RepoId));

        Assert.That((model.Source, model.Commit, model.Path), Is.EqualTo((ModelSource.HubCache, HandBuiltCache.CommitA, cache.Snapshot(HandBuiltCache.CommitA))));
        Assert.That(model.Files, Is.EqualTo(HubTestKit.TransformersFiles().Keys.Order(StringComparer.Ordinal)));
    }

    [Test]
    public async Task A_cached_sharded_model_lists_its_shards()
    {
        var (files, _) = Sharded();
        using var cache = new HandBuiltCache(RepoId, files);
        var model = await Resolve(HubTestKit.Settings(cache.Root, offline: true), Request(RepoId));
        Assert.That(model.Files.Where(f => f.StartsWith("model", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json",
        }));
    }

    [Test]
    public async Task Offline_with_a_snapshot_that_lacks_the_weights_names_them()
    {
        var files = HubTestKit.TransformersFiles();
        files.Remove("model.safetensors");
        using var cache = new HandBuiltCache(RepoId, files);
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(HubTestKit.Settings(cache.Root, offline: true), Request(RepoId)));

        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.Offline));
        Assert.That(e.Message, Does.Contain($"snapshot {HandBuiltCache.CommitA} lacks safetensors weights (model.safetensors, or a sharded or variant form)"));
    }

    [Test]
    public async Task Offline_with_a_variant_the_cache_lacks_names_the_variant_file()
    {
        using var cache = new HandBuiltCache(RepoId, HubTestKit.TransformersFiles());
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(HubTestKit.Settings(cache.Root, offline: true), Request(RepoId, "fp16")));
        Assert.That(e!.Message, Does.Contain("weights of variant 'fp16' (files such as model.fp16.safetensors)"));
    }

    [Test]
    public async Task A_download_fetches_exactly_the_model_files_and_then_resolves_from_cache_with_the_hub_gone()
    {
        using var cache = new TempDir("probe-hub");
        ResolvedModel downloaded;
        FakeRepo repo;
        using (var hub = new FakeHub())
        {
            repo = hub.AddRepo(RepoId, HubTestKit.TransformersWithDecoys());
            downloaded = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), Request(RepoId));
            Assert.That(hub.BytesServed.Keys, Is.EquivalentTo(HubTestKit.TransformersFiles().Keys), "only the files the model needs are fetched");
        }

        var expected = HubTestKit.TransformersFiles();
        Assert.That((downloaded.Source, downloaded.Commit), Is.EqualTo((ModelSource.HubDownload, repo.Commit)));
        Assert.That(downloaded.Path, Is.EqualTo(Path.Combine(cache.Path, "models--probe-tests--clip-text-tiny", "snapshots", repo.Commit)));
        Assert.That(downloaded.Files, Is.EqualTo(expected.Keys.Order(StringComparer.Ordinal)));
        Assert.That(HubTestKit.ReadFolder(downloaded.Path), Is.EquivalentTo(expected), "the snapshot holds exactly the model, byte for byte");

        var cached = await Resolve(HubTestKit.Settings(cache.Path, "http://127.0.0.1:9"), Request(RepoId));
        Assert.That((cached.Source, cached.Path), Is.EqualTo((ModelSource.HubCache, downloaded.Path)));
        Assert.That(cached.Files, Is.EqualTo(downloaded.Files));
    }

    [Test]
    public async Task Variant_fp16_fetches_the_fp16_weights_instead_of_the_plain_ones()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var files = HubTestKit.TransformersFiles();
        var fp16 = (byte[])files["model.safetensors"].Clone();
        fp16[^1] ^= 1;
        files["model.fp16.safetensors"] = fp16;
        hub.AddRepo(RepoId, files);

        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), Request(RepoId, "fp16"));

        Assert.That(model.Files, Does.Contain("model.fp16.safetensors").And.Not.Contain("model.safetensors"));
        Assert.That(hub.BytesServed.Keys, Does.Contain("model.fp16.safetensors").And.Not.Contain("model.safetensors"));
    }

    [Test]
    public async Task A_sharded_model_brings_its_index_and_exactly_the_shards_it_names()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var (files, tensors) = Sharded();
        hub.AddRepo(RepoId, files);

        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), Request(RepoId));

        Assert.That(model.Files.Where(f => f.StartsWith("model", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json",
        }));
        Assert.That(hub.BytesServed.Keys, Does.Not.Contain("model-00003-of-00003.safetensors"));
        using var checkpoint = Checkpoint.OpenComponent(model.Path, null);
        Assert.That(checkpoint.Names, Is.EquivalentTo(tensors));
    }

    [Test]
    public async Task A_pickle_only_repo_is_refused_before_any_weights_are_fetched()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var files = HubTestKit.TransformersFiles();
        files.Remove("model.safetensors");
        files["pytorch_model.bin"] = new byte[1000];
        var repo = hub.AddRepo(RepoId, files);

        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), Request(RepoId)));

        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.InvalidModel));
        Assert.That(e.Message, Does.StartWith($"repo '{RepoId}' at main ({repo.Commit}) is not a model Probe can load: " +
                                              "weights only in pytorch_model.bin, which Probe does not read (it reads safetensors only, because pickles can run code)"));
        Assert.That(hub.BytesServed.Keys, Is.EqualTo(new[] { "config.json" }), "only the marker file was fetched");
    }

    [Test]
    public async Task A_pipeline_repo_asked_for_as_a_transformers_model_is_refused_without_a_download()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());

        var e = await Assert.ThrowsAsync<ModelResolutionException>(() =>
            Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), Request(HubTestKit.RepoId)));

        Assert.That(e!.Message, Is.EqualTo($"repo '{HubTestKit.RepoId}' at main has no config.json: not a transformers model"));
        Assert.That(hub.BytesServed, Is.Empty);
    }
}
