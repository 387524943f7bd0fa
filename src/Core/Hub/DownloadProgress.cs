namespace Probe.Core.Hub;

/// <summary>
/// Where a download stands, for a progress bar: the file being fetched and the totals over every file the pipeline
/// needs. Files already in the cache count as done from the start.
/// </summary>
/// <param name="RepoId">The repo being downloaded.</param>
/// <param name="File">The file being fetched, relative to the repo root.</param>
/// <param name="FileBytesDone">Bytes of <paramref name="File"/> on disk, including a resumed part.</param>
/// <param name="FileBytesTotal">Size of <paramref name="File"/>, when the hub said.</param>
/// <param name="BytesDone">Bytes of all files on disk.</param>
/// <param name="BytesTotal">Bytes of all files.</param>
/// <param name="FilesDone">Files complete and verified.</param>
/// <param name="FilesTotal">Files the pipeline needs.</param>
/// <param name="BytesPerSecond">Transfer rate over this download so far (0 before the first byte).</param>
/// <param name="Eta">Estimated time left at that rate; null while the rate is unknown.</param>
public sealed record DownloadProgress(
    string RepoId,
    string File,
    long FileBytesDone,
    long? FileBytesTotal,
    long BytesDone,
    long BytesTotal,
    int FilesDone,
    int FilesTotal,
    double BytesPerSecond,
    TimeSpan? Eta);
