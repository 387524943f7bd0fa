using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Probe.Core.Safetensors;

namespace Probe.Core.Hub;

/// <summary>
/// Turns what <c>--model</c> names into a model folder on disk, laid out as the request's <see cref="IRepoLayout"/>
/// says (a diffusers pipeline unless told otherwise), in this order:
/// <list type="number">
/// <item>a local folder of that layout (its marker file, such as <c>model_index.json</c>, and the rest);</item>
/// <item>a hub repo id whose snapshot for the revision is complete in the Hugging Face cache, used as it is
/// (no network);</item>
/// <item>otherwise a download of only the files the layout needs from the hub into that cache, in
/// huggingface_hub's layout, resumable and verified; refused when <c>HF_HUB_OFFLINE</c> is set.</item>
/// </list>
/// </summary>
public sealed class ModelResolver : IDisposable
{
    readonly HubSettings _settings;
    readonly HubOptions _options;
    readonly ILogger _logger;
    readonly HttpClient _http;
    readonly HubCache _cache;
    readonly HubClient _client;

    public ModelResolver(HubSettings settings, HubOptions? options = null, ILogger? logger = null)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _options = options ?? new HubOptions();
        _logger = logger ?? NullLogger.Instance;
        _http = HubClient.CreateHttpClient();
        _cache = new HubCache(settings.CacheDir, _logger);
        _client = new HubClient(_http, settings, _options, _logger);
    }

    public HubSettings Settings => _settings;

    /// <summary>Resolves <paramref name="request"/>; downloads report through <paramref name="progress"/>.</summary>
    /// <exception cref="ModelResolutionException">Not found, not allowed, offline, corrupt or not of the layout; the message says what to do.</exception>
    public async Task<ResolvedModel> ResolveAsync(ModelRequest request, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Variant is not null)
        {
            try
            {
                WeightFileNames.Candidates(request.Variant);
            }
            catch (ArgumentException e)
            {
                throw new ModelResolutionException(ModelResolutionError.InvalidModel, e.Message, e);
            }
        }

        var model = request.Model.Trim();
        var folder = ExpandHome(model);
        if (Directory.Exists(folder))
            return ResolveFolder(Path.GetFullPath(folder), request);
        if (LooksLikePath(model))
            throw new ModelResolutionException(ModelResolutionError.NotFound, $"--model '{model}': no such folder ({Path.GetFullPath(folder)})");
        if (!HubCache.IsRepoId(model))
            throw new ModelResolutionException(ModelResolutionError.InvalidModel,
                $"--model '{model}' is neither a folder nor a hub repo id such as 'stabilityai/stable-diffusion-2-1-base'");
        var revision = request.EffectiveRevision;
        if (!HubCache.IsSafeRevision(revision))
            throw new ModelResolutionException(ModelResolutionError.InvalidModel, $"--revision '{revision}' is not a branch, tag or commit name");

        var (cached, whyNot) = FromCache(model, revision, request);
        if (cached is not null)
        {
            _logger.LogInformation("Using {Model} from the cache: {Path}", cached, cached.Path);
            return cached;
        }
        if (_settings.Offline)
            throw new ModelResolutionException(ModelResolutionError.Offline,
                $"HF_HUB_OFFLINE is set and '{model}' (revision {revision}, variant {request.Variant ?? "none"}) is not complete in the cache " +
                $"{_settings.CacheDir}: {whyNot}. Unset HF_HUB_OFFLINE to download it, set HF_HUB_CACHE/HF_HOME to the cache that has it, or pass a local folder.");
        _logger.LogInformation("{Model}@{Revision} is not complete in the cache ({WhyNot}); downloading", model, revision, whyNot);
        return await DownloadAsync(model, revision, request, progress, ct);
    }

    ResolvedModel ResolveFolder(string dir, ModelRequest request)
    {
        var layout = request.Layout;
        if (!File.Exists(Path.Combine(dir, layout.MarkerFile)))
            throw new ModelResolutionException(ModelResolutionError.InvalidModel,
                $"{dir} has no {layout.MarkerFile}: not a {layout.Name} folder ({layout.SaveHint})");
        var (files, problems) = Inspect(dir, request);
        if (problems.Count > 0)
            throw new ModelResolutionException(ModelResolutionError.InvalidModel, $"{dir} is not a complete {layout.Noun}: {string.Join("; ", problems)}");
        return new ResolvedModel(dir, ModelSource.LocalFolder, null, null, null, request.Variant, files);
    }

    (ResolvedModel? Model, string WhyNot) FromCache(string repoId, string revision, ModelRequest request)
    {
        var repoDir = _cache.RepoDir(repoId);
        if (!Directory.Exists(repoDir)) return (null, $"nothing of it is cached ({repoDir} does not exist)");
        var commit = _cache.FindCommit(repoId, revision);
        if (commit is null) return (null, $"revision '{revision}' was never fetched (no refs/{revision})");
        var snapshot = _cache.SnapshotDir(repoId, commit);
        if (!Directory.Exists(snapshot)) return (null, $"snapshot {commit} is not there");
        var (files, problems) = Inspect(snapshot, request);
        return problems.Count > 0
            ? (null, $"snapshot {commit} lacks {string.Join("; ", problems)}")
            : (new ResolvedModel(snapshot, ModelSource.HubCache, repoId, revision, commit, request.Variant, files), "");
    }

    /// <summary>The files of the request's layout present in <paramref name="dir"/>, and what is missing or unreadable there.</summary>
    static (IReadOnlyList<string> Files, List<string> Problems) Inspect(string dir, ModelRequest request)
    {
        var layout = request.Layout;
        var listing = HubCache.ListFiles(dir).Where(f => HubCache.IsReadableFile(Path.Combine(dir, f))).ToHashSet(StringComparer.Ordinal);
        if (!listing.Contains(layout.MarkerFile)) return ([], [layout.MarkerFile]);
        var selection = layout.Select(File.ReadAllBytes(Path.Combine(dir, layout.MarkerFile)), listing, request.Variant, request.Components);
        var problems = selection.Missing.Concat(selection.Unreadable).ToList();
        var files = new SortedSet<string>(selection.Files.Where(listing.Contains), StringComparer.Ordinal);
        foreach (var index in selection.ShardIndexes.Where(listing.Contains))
            foreach (var shard in PipelineFileSelector.ShardsOf(index, File.ReadAllBytes(Path.Combine(dir, index))))
                if (listing.Contains(shard)) files.Add(shard);
                else problems.Add(shard);
        if (request.Variant is { } variant && !selection.VariantFound)
            problems.Add($"weights of variant '{variant}' (files such as {layout.VariantExample(variant)})");
        return (files.ToArray(), problems);
    }

    async Task<ResolvedModel> DownloadAsync(string repoId, string revision, ModelRequest request, IProgress<DownloadProgress>? progress,
                                            CancellationToken ct)
    {
        var layout = request.Layout;
        var info = await WithRetriesAsync($"listing {repoId}@{revision}", () => _client.GetRepoInfoAsync(repoId, revision, ct), ct);
        var commit = info.Commit;
        var snapshot = _cache.SnapshotDir(repoId, commit);
        if (!info.Files.Contains(layout.MarkerFile))
            throw new ModelResolutionException(ModelResolutionError.InvalidModel,
                $"repo '{repoId}' at {revision} has no {layout.MarkerFile}: not a {layout.Name}");

        // The marker (model_index.json names the components) and shard indexes (they name the shards) come first.
        await FetchAsync(repoId, commit, [layout.MarkerFile], null, ct);
        var selection = layout.Select(File.ReadAllBytes(Path.Combine(snapshot, layout.MarkerFile)), info.Files, request.Variant, request.Components);
        var problems = selection.Missing.Concat(selection.Unreadable).ToList();
        if (request.Variant is { } variant && !selection.VariantFound)
            problems.Add(layout.NoVariantWeights(variant));
        if (problems.Count > 0)
            throw new ModelResolutionException(ModelResolutionError.InvalidModel,
                $"repo '{repoId}' at {revision} ({commit}) is not a {layout.Noun} Probe can load: {string.Join("; ", problems)}");

        await FetchAsync(repoId, commit, selection.ShardIndexes, null, ct);
        var files = new SortedSet<string>(selection.Files, StringComparer.Ordinal);
        foreach (var index in selection.ShardIndexes)
            foreach (var shard in PipelineFileSelector.ShardsOf(index, File.ReadAllBytes(Path.Combine(snapshot, index))))
                files.Add(info.Files.Contains(shard)
                    ? shard
                    : throw new ModelResolutionException(ModelResolutionError.InvalidModel,
                        $"{index} in '{repoId}' at {commit} names shard {shard}, which the repo does not have"));

        await FetchAsync(repoId, commit, files.ToArray(), progress, ct);
        _cache.WriteRef(repoId, revision, commit);
        _logger.LogInformation("{Repo}@{Commit}: {Count} files ready in {Snapshot}", repoId, commit, files.Count, snapshot);
        return new ResolvedModel(snapshot, ModelSource.HubDownload, repoId, revision, commit, request.Variant, files.ToArray());
    }

    /// <summary>Brings <paramref name="paths"/> into the snapshot: already there, already a blob, or downloaded.</summary>
    async Task FetchAsync(string repoId, string commit, IReadOnlyList<string> paths, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        var snapshot = _cache.SnapshotDir(repoId, commit);
        var present = new List<(string Path, long Size)>();
        var needed = new List<HubFileMetadata>();
        foreach (var path in paths)
        {
            var target = Path.Combine(snapshot, path);
            if (HubCache.IsReadableFile(target))
            {
                present.Add((path, new FileInfo(target).ResolveLinkTarget(true) is FileInfo blob ? blob.Length : new FileInfo(target).Length));
                continue;
            }
            var metadata = await WithRetriesAsync($"metadata of {path}", () => _client.GetFileMetadataAsync(repoId, commit, path, ct), ct);
            if (metadata.Commit is { } headCommit && headCommit != commit)
                _logger.LogWarning("{File}: the hub served commit {HeadCommit} while listing said {Commit}", path, headCommit, commit);
            needed.Add(metadata);
        }

        var total = present.Sum(p => p.Size) + needed.Sum(m => m.Size ?? 0);
        var tracker = new DownloadTracker(repoId, total, paths.Count, progress, _options.ProgressInterval);
        if (needed.Count > 0)
            _logger.LogInformation("Downloading {Count} files of {Repo}@{Commit} ({Megabytes:F1} MB) into {Cache}", needed.Count, repoId, commit,
                needed.Sum(m => m.Size ?? 0) / 1e6, _cache.Root);
        foreach (var (path, size) in present) tracker.Skipped(path, size);
        foreach (var file in needed)
        {
            var blob = _cache.BlobPath(repoId, file.Etag);
            if (!HubCache.IsReadableFile(blob))
            {
                await using var fileLock = await LockAsync(_cache.LockPath(repoId, file.Etag), file.Path, ct);
                if (!HubCache.IsReadableFile(blob)) await DownloadBlobAsync(repoId, commit, file, blob, tracker, ct);
                else tracker.Skipped(file.Path, new FileInfo(blob).Length);
            }
            else
            {
                tracker.Skipped(file.Path, new FileInfo(blob).Length);
            }
            _cache.Link(blob, Path.Combine(snapshot, file.Path), _options.LinkMode);
        }
    }

    /// <summary>Downloads one blob: resumes a partial file, retries broken transfers, verifies, re-fetches once on a mismatch.</summary>
    async Task DownloadBlobAsync(string repoId, string commit, HubFileMetadata file, string blob, DownloadTracker tracker, CancellationToken ct)
    {
        var incomplete = blob + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        tracker.Start(file.Path, file.Size, File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0);
        var failures = 0;
        var refetched = false;
        while (true)
        {
            var before = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
            try
            {
                await _client.DownloadAsync(file, incomplete, tracker.Received, ct);
            }
            catch (Exception e) when (IsTransient(e) && !ct.IsCancellationRequested)
            {
                // Only failures in a row count: a transfer that broke after making progress resumes for free.
                var after = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
                failures = after > before ? 1 : failures + 1;
                if (failures >= _options.MaxAttempts)
                    throw new ModelResolutionException(ModelResolutionError.Network,
                        $"{file.Path} of '{repoId}': the download failed {failures} times (last: {e.Message}). What arrived is kept in {incomplete}; " +
                        "run again to resume from there.", e);
                var delay = _options.RetryDelay * Math.Pow(2, failures - 1);
                _logger.LogWarning("{File}: transfer broke ({Message}); resuming in {Delay:F1} s (try {Try} of {Max})", file.Path, e.Message,
                    delay.TotalSeconds, failures + 1, _options.MaxAttempts);
                tracker.Restart(File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0);
                await Task.Delay(delay, ct);
                file = await RefreshLocationAsync(repoId, commit, file, ct);
                continue;
            }

            var problem = await VerifyAsync(incomplete, file, ct);
            if (problem is null)
            {
                File.Move(incomplete, blob, overwrite: true);
                tracker.Completed();
                return;
            }
            File.Delete(incomplete);
            tracker.Restart(0);
            if (refetched)
                throw new ModelResolutionException(ModelResolutionError.Integrity,
                    $"{file.Path} of '{repoId}' at {commit}: {problem}, again after downloading it a second time; the download was deleted. " +
                    "The hub's copy may be damaged, or something between you and the hub alters files (a proxy or mirror: check HF_ENDPOINT).");
            refetched = true;
            _logger.LogWarning("{File}: {Problem}; deleted, downloading it again", file.Path, problem);
        }
    }

    /// <summary>
    /// Asks the hub again where the bytes are: a CDN address can expire during a long download. Keeps the old one when
    /// the hub cannot be asked or now names different content.
    /// </summary>
    async Task<HubFileMetadata> RefreshLocationAsync(string repoId, string commit, HubFileMetadata file, CancellationToken ct)
    {
        try
        {
            var fresh = await _client.GetFileMetadataAsync(repoId, commit, file.Path, ct);
            return fresh.Etag == file.Etag ? file with { Location = fresh.Location } : file;
        }
        catch (Exception e) when (IsTransient(e))
        {
            return file;
        }
    }

    /// <summary>
    /// Checks a finished download against the hub's ETag: SHA-256 for LFS files (64 hex digits), the git blob SHA-1
    /// for the rest (40 hex digits), and the size either way. Returns what is wrong, or null.
    /// </summary>
    async Task<string?> VerifyAsync(string path, HubFileMetadata file, CancellationToken ct)
    {
        var length = new FileInfo(path).Length;
        if (file.Size is { } size && length != size)
            return $"has {length} bytes, the hub said {size}";
        string actual;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true))
        {
            if (file.Etag.Length == 64)
            {
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
            }
            else if (file.Etag.Length == 40)
            {
                using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                sha1.AppendData(Encoding.ASCII.GetBytes($"blob {length}\0"));
                var buffer = new byte[1 << 20];
                int n;
                while ((n = await stream.ReadAsync(buffer, ct)) > 0) sha1.AppendData(buffer, 0, n);
                actual = Convert.ToHexStringLower(sha1.GetHashAndReset());
            }
            else
            {
                _logger.LogWarning("{File}: the ETag {Etag} is not a content hash, so only the size could be checked", file.Path, file.Etag);
                return null;
            }
        }
        var kind = file.Etag.Length == 64 ? "SHA-256" : "git blob SHA-1";
        return string.Equals(actual, file.Etag, StringComparison.OrdinalIgnoreCase) ? null : $"{kind} is {actual}, the hub's ETag says {file.Etag}";
    }

    /// <summary>Holds the blob's lock file, waiting while another process downloads the same blob.</summary>
    async Task<FileStream> LockAsync(string path, string file, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + _options.LockTimeout;
        var told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (!told) _logger.LogInformation("{File}: another process is downloading it; waiting", file);
                told = true;
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
            catch (IOException e)
            {
                throw new ModelResolutionException(ModelResolutionError.Network,
                    $"{file}: {path} has been locked by another download for {_options.LockTimeout.TotalMinutes:F0} minutes; " +
                    "if no other Probe, diffusers or huggingface_hub process is running, delete the lock file", e);
            }
        }
    }

    async Task<T> WithRetriesAsync<T>(string what, Func<Task<T>> action, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (IsTransient(e) && !ct.IsCancellationRequested)
            {
                if (attempt >= _options.MaxAttempts)
                    throw new ModelResolutionException(ModelResolutionError.Network,
                        $"cannot reach the hub at {_settings.Endpoint} for {what} ({e.Message}). Check the network or HF_ENDPOINT, " +
                        "or set HF_HUB_OFFLINE=1 to use only what is cached.", e);
                var delay = _options.RetryDelay * Math.Pow(2, attempt - 1);
                _logger.LogWarning("{What}: {Message}; retrying in {Delay:F1} s", what, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, ct);
            }
        }
    }

    static bool IsTransient(Exception e) => e is IOException or HttpRequestException;

    static string ExpandHome(string path)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return path == "~" ? home : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : path;
    }

    static bool LooksLikePath(string model) =>
        Path.IsPathRooted(model) || model is "." or ".." || model.StartsWith("./", StringComparison.Ordinal) ||
        model.StartsWith("../", StringComparison.Ordinal) || model.StartsWith('~') || model.Contains('\\') || model.Count(c => c == '/') > 1;

    public void Dispose() => _http.Dispose();
}
