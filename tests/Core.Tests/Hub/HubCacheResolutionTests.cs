
using Probe.Core.Hub;

namespace Probe.Tests.Hub;

/// <summary>A hub id found in the cache is used as it is, without the network; what is missing is named.</summary>
public class HubCacheResolutionTests
{
    /// <summary>Online, but pointed at a port nobody serves: any request would fail the test with a network error.</summary>
    static async Task<ResolvedModel> Resolve(HandBuiltCache cache, ModelRequest request, bool offline = false)
    {
        using var resolver = new ModelResolver(HubTestKit.Settings(cache.Root, offline: offline), HubTestKit.FastOptions with { MaxAttempts = 1 });
        return await resolver.ResolveAsync(request);
    }

    [Test]
    public async Task The_default_revision_follows_refs_main()
    {
        using var cache = new HandBuiltCache();
        var model = await Resolve(cache, new ModelRequest(HandBuiltCache.RepoId));

        Assert.That(model.Source, Is.EqualTo(ModelSource.HubCache));
        Assert.That((model.Commit, model.Revision, model.Path), Is.EqualTo((HandBuiltCache.CommitA, "main", cache.Snapshot(HandBuiltCache.CommitA))));
        Assert.That(model.Files, Is.EquivalentTo(HubTestKit.FixtureFiles().Keys));
    }

    [TestCase("v2", TestName = "A_tag_revision_follows_its_ref")]
    [TestCase("refs/pr/1", TestName = "A_revision_with_slashes_follows_its_nested_ref")]
    [TestCase(HandBuiltCache.CommitB, TestName = "A_commit_revision_uses_its_snapshot_without_a_ref")]
    public async Task A_revision_selects_its_snapshot(string revision)
    {
        using var cache = new HandBuiltCache();
        var model = await Resolve(cache, new ModelRequest(HandBuiltCache.RepoId, Revision: revision));

        Assert.That(model.Commit, Is.EqualTo(HandBuiltCache.CommitB));
        Assert.That(File.ReadAllBytes(model.FullPath("scheduler/scheduler_config.json")), Is.EqualTo(HandBuiltCache.SchedulerB));
    }

    [Test]
    public async Task Files_the_pipeline_does_not_need_are_left_out_of_the_result()
    {
        using var cache = new HandBuiltCache();
        cache.AddSnapshot(HandBuiltCache.CommitA, new Dictionary<string, byte[]>
        {
            ["unet/diffusion_pytorch_model.bin"] = [1, 2, 3],
            ["README.md"] = [4],
            ["vae/diffusion_pytorch_model.fp16.safetensors"] = [5],
        });
        var model = await Resolve(cache, new ModelRequest(HandBuiltCache.RepoId));
        Assert.That(model.Files, Is.EquivalentTo(HubTestKit.FixtureFiles().Keys));
    }

    [Test]
    public async Task Offline_with_nothing_cached_names_the_repo_the_cache_and_the_switch()
    {
        using var cache = new HandBuiltCache();
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(cache, new ModelRequest("someone/other"), offline: true));

        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.Offline));
        Assert.That(e.Message, Does.StartWith($"HF_HUB_OFFLINE is set and 'someone/other' (revision main, variant none) is not complete in the cache {cache.Root}: " +
                                              $"nothing of it is cached ({Path.Combine(cache.Root, "models--someone--other")} does not exist)"));
    }

    [Test]
    public async Task Offline_with_an_unfetched_branch_says_which_ref_is_missing()
    {
        using var cache = new HandBuiltCache();
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() =>
            Resolve(cache, new ModelRequest(HandBuiltCache.RepoId, Revision: "dev"), offline: true));
        Assert.That(e!.Message, Does.Contain("revision 'dev' was never fetched (no refs/dev)"));
    }

    [Test]
    public async Task Offline_with_an_incomplete_snapshot_lists_the_missing_files()
    {
        using var cache = new HandBuiltCache();
        var snapshot = cache.Snapshot(HandBuiltCache.CommitA);
        File.Delete(Path.Combine(snapshot, "unet", "diffusion_pytorch_model.safetensors"));
        File.Delete(Path.Combine(snapshot, "tokenizer", "merges.txt"));
        var vaeBlob = new FileInfo(Path.Combine(snapshot, "vae", "diffusion_pytorch_model.safetensors")).ResolveLinkTarget(true)!;
        File.Delete(vaeBlob.FullName); // the link dangles, as after a half-cleaned cache

        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(cache, new ModelRequest(HandBuiltCache.RepoId), offline: true));

        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.Offline));
        Assert.That(e.Message, Does.Contain($"snapshot {HandBuiltCache.CommitA} lacks unet/ safetensors weights")
            .And.Contain("vae/ safetensors weights"));
        Assert.That(e.Message, Does.Not.Contain("merges.txt"), "tokenizer files are taken as listed: a listing cannot say one is missing");
    }

    [Test]
    public async Task Offline_with_only_pickle_weights_explains_that_safetensors_are_needed()
    {
        using var cache = new HandBuiltCache();
        var snapshot = cache.Snapshot(HandBuiltCache.CommitA);
        File.Delete(Path.Combine(snapshot, "unet", "diffusion_pytorch_model.safetensors"));
        cache.AddSnapshot(HandBuiltCache.CommitA, new Dictionary<string, byte[]> { ["unet/diffusion_pytorch_model.bin"] = [0x80, 2] });

        var e = await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(cache, new ModelRequest(HandBuiltCache.RepoId), offline: true));
        Assert.That(e!.Message, Does.Contain("unet/: only diffusion_pytorch_model.bin, which Probe does not read").And.Contain("safe_serialization=True"));
    }

    [Test]
    public async Task A_variant_the_cache_lacks_is_not_silently_replaced_by_plain_weights()
    {
        using var cache = new HandBuiltCache();
        var e = await Assert.ThrowsAsync<ModelResolutionException>(() =>
            Resolve(cache, new ModelRequest(HandBuiltCache.RepoId, Variant: "fp16"), offline: true));
        Assert.That(e!.Message, Does.Contain("weights of variant 'fp16'"));
    }

    [Test]
    public async Task A_cached_variant_is_used()
    {
        using var cache = new HandBuiltCache();
        cache.AddSnapshot(HandBuiltCache.CommitA, new Dictionary<string, byte[]>
        {
            ["unet/diffusion_pytorch_model.fp16.safetensors"] = File.ReadAllBytes(Path.Combine(HubTestKit.FixturePipeline, "unet", "diffusion_pytorch_model.safetensors")),
        });
        var model = await Resolve(cache, new ModelRequest(HandBuiltCache.RepoId, Variant: "fp16"), offline: true);
        Assert.That(model.Files, Does.Contain("unet/diffusion_pytorch_model.fp16.safetensors").And.Not.Contain("unet/diffusion_pytorch_model.safetensors"));
    }
}
