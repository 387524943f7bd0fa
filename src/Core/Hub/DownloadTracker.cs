using System.Diagnostics;

namespace Probe.Core.Hub;

/// <summary>Counts bytes and files of one download and turns them into <see cref="DownloadProgress"/> reports, rate-limited.</summary>
sealed class DownloadTracker(string repoId, long bytesTotal, int filesTotal, IProgress<DownloadProgress>? progress, TimeSpan interval)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    long _bytesOfDoneFiles;
    int _filesDone;
    string _file = "";
    long _fileOnDisk;
    long? _fileSize;
    bool _active;
    long _transferred;
    TimeSpan? _firstByteAt;
    TimeSpan _lastReport = TimeSpan.MinValue;

    public long BytesTotal => bytesTotal;

    /// <summary>A file that was already complete (in the cache or a blob shared with another snapshot).</summary>
    public void Skipped(string file, long size)
    {
        _bytesOfDoneFiles += size;
        _filesDone++;
        _file = file;
        _fileOnDisk = size;
        _fileSize = size;
        _active = false;
        Report(force: true);
    }

    public void Start(string file, long? size, long onDisk)
    {
        _file = file;
        _fileSize = size;
        _fileOnDisk = onDisk;
        _active = true;
        Report(force: true);
    }

    /// <summary><paramref name="bytes"/> more arrived over the network.</summary>
    public void Received(long bytes)
    {
        _firstByteAt ??= _clock.Elapsed;
        _transferred += bytes;
        _fileOnDisk += bytes;
        Report(force: false);
    }

    /// <summary>The current file's partial download now has <paramref name="onDisk"/> bytes (after a failure or a restart).</summary>
    public void Restart(long onDisk) => _fileOnDisk = onDisk;

    public void Completed()
    {
        _bytesOfDoneFiles += _fileSize ?? _fileOnDisk;
        _filesDone++;
        _fileOnDisk = _fileSize ?? _fileOnDisk;
        _active = false;
        Report(force: true);
    }

    void Report(bool force)
    {
        if (progress is null) return;
        var now = _clock.Elapsed;
        if (!force && now - _lastReport < interval) return;
        _lastReport = now;
        var seconds = _firstByteAt is { } first ? (now - first).TotalSeconds : 0;
        var rate = seconds > 0 ? _transferred / seconds : 0;
        var done = Math.Min(bytesTotal, _bytesOfDoneFiles + (_active ? _fileOnDisk : 0));
        TimeSpan? eta = rate > 0 ? TimeSpan.FromSeconds((bytesTotal - done) / rate) : null;
        progress.Report(new DownloadProgress(repoId, _file, _fileOnDisk, _fileSize, done, bytesTotal, _filesDone, filesTotal, rate, eta));
    }
}
