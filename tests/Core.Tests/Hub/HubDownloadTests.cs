
using Probe.Core.Hub;
using Probe.Core.Safetensors;

namespace Probe.Tests.Hub;

/// <summary>Downloads from a hub the test runs on 127.0.0.1, into a temp Hugging Face cache.</summary>
public class HubDownloadTests
{
    static async Task<ResolvedModel> Resolve(HubSettings settings, ModelRequest request, IProgress<DownloadProgress>? progress = null,
                                             HubOptions? options = null)
    {
        using var resolver = new ModelResolver(settings, options ?? HubTestKit.FastOptions);
        return await resolver.ResolveAsync(request, progress);
    }

    [Test]
    public async Task A_complete_download_is_byte_identical_to_the_fixture_and_then_resolves_from_cache_with_the_hub_gone()
    {
        using var cache = new TempDir("probe-hub");
        ResolvedModel downloaded;
        FakeRepo repo;
        using (var hub = new FakeHub())
        {
            repo = hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureWithDecoys());
            downloaded = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId));

            Assert.That(hub.Requests.Where(r => r.Method == "GET" && r.Path.Contains("/resolve/")).Select(r => r.Path),
                Has.None.Contains("README").And.None.Contains(".bin").And.None.Contains("fp16").And.None.Contains("msgpack").And.None.Contains(".png"),
                "only the files the pipeline needs are fetched");
        }

        var fixture = HubTestKit.FixtureFiles();
        Assert.That(downloaded.Source, Is.EqualTo(ModelSource.HubDownload));
        Assert.That(downloaded.Commit, Is.EqualTo(repo.Commit));
        Assert.That(downloaded.Path, Is.EqualTo(Path.Combine(cache.Path, "models--probe-tests--sd21-tiny", "snapshots", repo.Commit)));
        Assert.That(downloaded.Files, Is.EquivalentTo(fixture.Keys));
        var onDisk = HubTestKit.ReadFolder(downloaded.Path);
        Assert.That(onDisk.Keys, Is.EquivalentTo(fixture.Keys), "the snapshot holds exactly the pipeline");
        foreach (var (path, bytes) in fixture)
            Assert.That(onDisk[path], Is.EqualTo(bytes), $"{path} differs from the fixture");

        using (var resolver = new ModelResolver(HubTestKit.Settings(cache.Path, "http://127.0.0.1:9"), HubTestKit.FastOptions))
        {
            var cached = await resolver.ResolveAsync(new ModelRequest(HubTestKit.RepoId));
            Assert.That(cached.Source, Is.EqualTo(ModelSource.HubCache));
            Assert.That(cached.Path, Is.EqualTo(downloaded.Path));
            Assert.That(cached.Files, Is.EqualTo(downloaded.Files));
        }
    }

    [Test]
    public async Task The_cache_has_huggingface_hub_layout_blobs_by_etag_relative_symlinks_and_the_ref()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var repo = hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());
        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId));

        var repoDir = Path.Combine(cache.Path, "models--probe-tests--sd21-tiny");
        Assert.That(File.ReadAllText(Path.Combine(repoDir, "refs", "main")), Is.EqualTo(repo.Commit));
        foreach (var path in repo.Files.Keys)
        {
            var link = new FileInfo(model.FullPath(path));
            var expected = Path.GetRelativePath(link.DirectoryName!, Path.Combine(repoDir, "blobs", repo.EtagOf(path)));
            Assert.That(link.LinkTarget, Is.EqualTo(expected), $"{path} links relatively to its blob");
        }
        Assert.That(Directory.GetFiles(Path.Combine(repoDir, "blobs")).Select(Path.GetFileName),
            Is.EquivalentTo(repo.Files.Keys.Select(repo.EtagOf).Distinct()), "one blob per distinct content, no .incomplete left");
        Assert.That(repo.EtagOf("unet/diffusion_pytorch_model.safetensors"), Has.Length.EqualTo(64), "LFS blobs are named by SHA-256");
    }

    [Test]
    public async Task Progress_reports_bytes_and_files_up_to_the_totals_with_a_rate()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var repo = hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());
        var log = new HubTestKit.ProgressLog();
        await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId), log);

        var total = repo.Files.Values.Sum(b => (long)b.Length);
        var last = log.Reports[^1];
        Assert.That((last.BytesDone, last.BytesTotal, last.FilesDone, last.FilesTotal), Is.EqualTo((total, total, repo.Files.Count, repo.Files.Count)));
        Assert.That(log.Reports.Select(r => r.BytesDone), Is.Ordered, "bytes done never go back");
        Assert.That(log.Reports, Has.Some.Matches<DownloadProgress>(r =>
            r!.File == "unet/diffusion_pytorch_model.safetensors" && r.FileBytesDone > 0 && r.FileBytesDone < r.FileBytesTotal && r.BytesPerSecond > 0 && r.Eta is not null),
            "mid-file reports carry a rate and an ETA");
        Assert.That(log.Reports.All(r => r.RepoId == HubTestKit.RepoId && r.BytesTotal == total));
    }

    [Test]
    public async Task A_connection_cut_mid_file_resumes_with_a_range_request()
    {
        const string unet = "unet/diffusion_pytorch_model.safetensors";
        const long cut = 1_000_000;
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var repo = hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());
        hub.CutOnce(unet, cut);

        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId));

        var cdnGets = hub.Requests.Where(r => r.Method == "GET" && r.Path == $"/cdn/{repo.EtagOf(unet)}").ToArray();
        Assert.That(cdnGets.Select(r => r.Range), Is.EqualTo(new string?[] { null, $"bytes={cut}-" }));
        Assert.That(hub.BytesServed[unet], Is.EqualTo(repo.Files[unet].Length), "no byte was sent twice");
        Assert.That(File.ReadAllBytes(model.FullPath(unet)), Is.EqualTo(repo.Files[unet]));
    }

    [Test]
    public async Task Two_resolvers_downloading_at_once_fetch_each_file_once()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var repo = hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());
        var settings = HubTestKit.Settings(cache.Path, hub.Endpoint);

        var both = await Task.WhenAll(
            Task.Run(() => Resolve(settings, new ModelRequest(HubTestKit.RepoId))),
            Task.Run(() => Resolve(settings, new ModelRequest(HubTestKit.RepoId))));

        Assert.That(both[0].Path, Is.EqualTo(both[1].Path));
        Assert.That(hub.BytesServed, Is.EquivalentTo(repo.Files.ToDictionary(f => f.Key, f => (long)f.Value.Length)),
            "the blob lock makes the second wait for, then reuse, the first one's download");
        Assert.That(HubTestKit.ReadFolder(both[0].Path), Is.EquivalentTo(repo.Files));
    }

    [Test]
    public async Task A_partial_file_left_by_an_earlier_run_is_resumed()
    {
        const string vae = "vae/diffusion_pytorch_model.safetensors";
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var repo = hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());
        var blobs = Path.Combine(cache.Path, "models--probe-tests--sd21-tiny", "blobs");
        Directory.CreateDirectory(blobs);
        File.WriteAllBytes(Path.Combine(blobs, repo.EtagOf(vae) + ".incomplete"), repo.Files[vae][..(1 << 20)]);

        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId));

        Assert.That(hub.Requests.Single(r => r.Method == "GET" && r.Path.StartsWith("/cdn/" + repo.EtagOf(vae), StringComparison.Ordinal)).Range,
            Is.EqualTo($"bytes={1 << 20}-"));
        Assert.That(File.ReadAllBytes(model.FullPath(vae)), Is.EqualTo(repo.Files[vae]));
    }

    [TestCase("vae/diffusion_pytorch_model.safetensors", TestName = "A_corrupted_LFS_file_is_rejected_by_SHA256_and_fetched_again")]
    [TestCase("tokenizer/vocab.json", TestName = "A_corrupted_git_file_is_rejected_by_blob_SHA1_and_fetched_again")]
    public async Task A_corrupted_file_is_rejected_and_fetched_again(string path)
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var repo = hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());
        hub.CorruptOnce(path);

        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId));

        Assert.That(hub.BytesServed[path], Is.EqualTo(2L * repo.Files[path].Length), "sent whole twice: once wrong, once right");
        Assert.That(File.ReadAllBytes(model.FullPath(path)), Is.EqualTo(repo.Files[path]));
    }

    [Test]
    public async Task A_file_corrupted_every_time_fails_with_an_integrity_error_and_leaves_nothing_behind()
    {
        const string vae = "vae/diffusion_pytorch_model.safetensors";
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var repo = hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());
        hub.CorruptAlways(vae);

        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId)));

        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.Integrity));
        Assert.That(e.Message, Does.StartWith($"{vae} of '{HubTestKit.RepoId}' at {repo.Commit}: SHA-256 is ")
            .And.Contain($"the hub's ETag says {repo.EtagOf(vae)}, again after downloading it a second time"));
        var blobs = Path.Combine(cache.Path, "models--probe-tests--sd21-tiny", "blobs");
        Assert.That(Directory.GetFiles(blobs).Select(Path.GetFileName), Has.None.StartsWith(repo.EtagOf(vae)));
        Assert.That(File.Exists(Path.Combine(cache.Path, "models--probe-tests--sd21-tiny", "refs", "main")), Is.False,
            "an incomplete download is not recorded as the revision");
    }

    [Test]
    public async Task A_private_repo_needs_HF_TOKEN_and_the_token_is_sent_as_a_bearer()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub { RequiredToken = "hf_secret" };
        hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());

        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId)));
        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.Unauthorized));
        Assert.That(e.Message, Does.Contain($"repo '{HubTestKit.RepoId}' is gated or private (HTTP 401)").And.Contain("set HF_TOKEN"));

        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint, token: "hf_secret"), new ModelRequest(HubTestKit.RepoId));
        Assert.That(model.Files, Has.Count.EqualTo(HubTestKit.FixtureFiles().Count));
        Assert.That(hub.Requests.Where(r => !r.Path.StartsWith("/cdn/", StringComparison.Ordinal)).Skip(1).Select(r => r.Authorization),
            Is.All.EqualTo("Bearer hf_secret"));
    }

    [Test]
    public async Task An_unknown_repo_is_reported_as_not_found()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest("nobody/nothing")));
        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.NotFound));
        Assert.That(e.Message, Does.StartWith($"no such repo 'nobody/nothing' on {hub.Endpoint}"));
    }

    [Test]
    public async Task An_unknown_revision_is_reported_as_not_found()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() =>
            Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId, Revision: "no-such-branch")));
        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.NotFound));
        Assert.That(e.Message, Does.StartWith($"no such revision 'no-such-branch' in repo '{HubTestKit.RepoId}'"));
    }

    [Test]
    public async Task A_shard_the_repo_lacks_is_reported_before_anything_large_is_fetched()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var files = HubTestKit.FixtureFiles();
        files.Remove("unet/diffusion_pytorch_model.safetensors");
        files["unet/diffusion_pytorch_model.safetensors.index.json"] = """{"weight_map":{"conv_in.weight":"diffusion_pytorch_model-00001-of-00002.safetensors"}}"""u8.ToArray();
        hub.AddRepo(HubTestKit.RepoId, files);

        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId)));
        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.InvalidModel));
        Assert.That(e.Message, Does.Contain("names shard unet/diffusion_pytorch_model-00001-of-00002.safetensors, which the repo does not have"));
        Assert.That(hub.CountOf("GET", "/cdn/"), Is.Zero);
    }

    [Test]
    public async Task Variant_fp16_fetches_the_fp16_weights_and_falls_back_per_component()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var files = HubTestKit.FixtureFiles();
        var unetFp16 = (byte[])files["unet/diffusion_pytorch_model.safetensors"].Clone();
        files["unet/diffusion_pytorch_model.fp16.safetensors"] = unetFp16;
        unetFp16[^1] ^= 1; // different content: a different blob
        hub.AddRepo(HubTestKit.RepoId, files);

        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId, Variant: "fp16"));

        Assert.That(model.Files, Does.Contain("unet/diffusion_pytorch_model.fp16.safetensors")
            .And.Not.Contain("unet/diffusion_pytorch_model.safetensors")
            .And.Contain("vae/diffusion_pytorch_model.safetensors"));
        Assert.That(hub.CountOf("GET", "/cdn/"), Is.EqualTo(3), "unet (fp16), vae and text encoder weights");
    }

    [Test]
    public async Task A_sharded_component_brings_its_index_and_exactly_the_shards_it_names()
    {
        using var cache = new TempDir("probe-hub");
        using var shardDir = new TempDir();
        using var hub = new FakeHub();
        var files = HubTestKit.FixtureFiles();
        var unet = Path.Combine(HubTestKit.FixturePipeline, "unet", "diffusion_pytorch_model.safetensors");
        using (var whole = SafetensorsFile.Open(unet))
        {
            var names = whole.Tensors.Keys.Order(StringComparer.Ordinal).ToArray();
            var halves = new[] { names[..(names.Length / 2)], names[(names.Length / 2)..] };
            var map = new Dictionary<string, string>();
            for (var i = 0; i < 2; i++)
            {
                var shard = $"diffusion_pytorch_model-0000{i + 1}-of-00002.safetensors";
                var path = Path.Combine(shardDir.Path, shard);
                SafetensorsWriter.Write(path, halves[i].Select(n => new KeyValuePair<string, TorchSharp.torch.Tensor>(n, whole.Load(n))));
                files["unet/" + shard] = File.ReadAllBytes(path);
                foreach (var n in halves[i]) map[n] = shard;
            }
            files["unet/diffusion_pytorch_model.safetensors.index.json"] = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { weight_map = map });
            files["unet/diffusion_pytorch_model-00003-of-00003.safetensors"] = new byte[10]; // a stray shard no index names
        }
        files.Remove("unet/diffusion_pytorch_model.safetensors");
        hub.AddRepo(HubTestKit.RepoId, files);

        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId));

        Assert.That(model.Files.Where(f => f.StartsWith("unet/", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "unet/config.json", "unet/diffusion_pytorch_model-00001-of-00002.safetensors",
            "unet/diffusion_pytorch_model-00002-of-00002.safetensors", "unet/diffusion_pytorch_model.safetensors.index.json",
        }));
        using var checkpoint = Checkpoint.OpenComponent(Path.Combine(model.Path, "unet"), null);
        using var original = SafetensorsFile.Open(unet);
        Assert.That(checkpoint.Names, Is.EquivalentTo(original.Tensors.Keys));
    }

    [Test]
    public async Task A_tag_revision_is_recorded_under_refs_and_a_commit_revision_needs_no_ref()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        var repo = hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles(), "v1.0");
        var settings = HubTestKit.Settings(cache.Path, hub.Endpoint);

        var byTag = await Resolve(settings, new ModelRequest(HubTestKit.RepoId, Revision: "v1.0"));
        var refs = Path.Combine(cache.Path, "models--probe-tests--sd21-tiny", "refs");
        Assert.That(Directory.GetFiles(refs).Select(Path.GetFileName), Is.EqualTo(new[] { "v1.0" }));
        Assert.That(File.ReadAllText(Path.Combine(refs, "v1.0")), Is.EqualTo(repo.Commit));
        Assert.That(byTag.Commit, Is.EqualTo(repo.Commit));

        var requests = hub.Requests.Count;
        var byCommit = await Resolve(settings, new ModelRequest(HubTestKit.RepoId, Revision: repo.Commit));
        Assert.That(byCommit.Source, Is.EqualTo(ModelSource.HubCache));
        Assert.That(hub.Requests, Has.Count.EqualTo(requests), "a commit already in the cache needs no request");
    }

    [Test]
    public async Task Copy_mode_fills_the_snapshot_with_real_files()
    {
        using var cache = new TempDir("probe-hub");
        using var hub = new FakeHub();
        hub.AddRepo(HubTestKit.RepoId, HubTestKit.FixtureFiles());
        var model = await Resolve(HubTestKit.Settings(cache.Path, hub.Endpoint), new ModelRequest(HubTestKit.RepoId),
            options: HubTestKit.FastOptions with { LinkMode = SnapshotLinkMode.Copy });

        foreach (var path in model.Files)
            Assert.That(new FileInfo(model.FullPath(path)).LinkTarget, Is.Null, path);
        Assert.That(HubTestKit.ReadFolder(model.Path), Is.EquivalentTo(HubTestKit.FixtureFiles()));
    }

    [Test]
    public async Task An_unreachable_hub_is_a_network_error_that_names_the_endpoint_and_offline_mode()
    {
        using var cache = new TempDir("probe-hub");
        string endpoint;
        using (var gone = new FakeHub()) endpoint = gone.Endpoint; // a port nobody listens on any more

        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(HubTestKit.Settings(cache.Path, endpoint), new ModelRequest(HubTestKit.RepoId)));
        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.Network));
        Assert.That(e.Message, Does.StartWith($"cannot reach the hub at {endpoint}").And.Contain("HF_HUB_OFFLINE=1"));
    }
}
