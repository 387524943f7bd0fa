using System.Security.Cryptography;

namespace Probe.Tests.Hub;

/// <summary>
/// A Hugging Face cache laid out by hand, as diffusers would have left it: blobs named by content hash, snapshots of
/// relative symlinks, refs naming commits. Snapshot A (refs/main) is the fixture; snapshot B (refs/v2, refs/refs/pr/1)
/// differs in its scheduler config. Given a repo and its files instead, the cache holds that repo at snapshot A (refs/main).
/// </summary>
public sealed class HandBuiltCache : IDisposable
{
    public const string RepoId = "someone/tiny-sd";
    public const string CommitA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    public const string CommitB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    public static readonly byte[] SchedulerB = """{"_class_name": "DDIMScheduler", "num_train_timesteps": 500}"""u8.ToArray();

    readonly TempDir _dir = new("probe-cache");
    readonly string _repoId;

    public HandBuiltCache(string repoId, IReadOnlyDictionary<string, byte[]> files)
    {
        _repoId = repoId;
        AddSnapshot(CommitA, files);
        WriteRef("main", CommitA);
    }

    public HandBuiltCache()
    {
        _repoId = RepoId;
        var files = HubTestKit.FixtureFiles();
        AddSnapshot(CommitA, files);
        files["scheduler/scheduler_config.json"] = SchedulerB;
        AddSnapshot(CommitB, files);
        WriteRef("main", CommitA);
        WriteRef("v2", CommitB);
        WriteRef("refs/pr/1", CommitB);
    }

    public string Root => _dir.Path;

    public string RepoDir => Path.Combine(Root, "models--" + _repoId.Replace("/", "--", StringComparison.Ordinal));

    public string Snapshot(string commit) => Path.Combine(RepoDir, "snapshots", commit);

    public void AddSnapshot(string commit, IReadOnlyDictionary<string, byte[]> files)
    {
        foreach (var (path, bytes) in files)
        {
            var blob = Path.Combine(RepoDir, "blobs", Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            File.WriteAllBytes(blob, bytes);
            var link = Path.Combine(Snapshot(commit), path);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, blob));
        }
    }

    public void WriteRef(string name, string commit)
    {
        var path = Path.Combine([RepoDir, "refs", .. name.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, commit);
    }

    public void Dispose() => _dir.Dispose();
}
