namespace Probe.Core.Hub;

/// <summary>What the HEAD of a <c>resolve</c> URL says about one file.</summary>
/// <param name="Path">The file, relative to the repo root.</param>
/// <param name="Etag">Git blob SHA-1, or SHA-256 for LFS files (from <c>X-Linked-Etag</c>); the blob's name in the cache.</param>
/// <param name="Size">Bytes, from <c>X-Linked-Size</c> or <c>Content-Length</c>, when given.</param>
/// <param name="Commit">The commit from <c>X-Repo-Commit</c>, when given.</param>
/// <param name="Location">Where to GET the bytes: the resolve URL, or the CDN URL it redirects to.</param>
sealed record HubFileMetadata(string Path, string Etag, long? Size, string? Commit, Uri Location);
