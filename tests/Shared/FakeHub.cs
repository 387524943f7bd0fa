using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Probe.Tests.Hub;

/// <summary>One request the fake hub received.</summary>
public sealed record HubRequest(string Method, string Path, string? Range, string? Authorization);

/// <summary>
/// A Hugging Face hub on 127.0.0.1 (port 0) for tests, speaking the hub's URL layout over plain HTTP/1.1:
/// <c>GET /api/models/{org}/{name}/revision/{rev}</c> (commit + siblings), <c>HEAD|GET /{org}/{name}/resolve/{rev}/{path}</c>
/// (ETag = git blob SHA-1, <c>X-Repo-Commit</c>, Range) with LFS files (*.safetensors, *.bin) redirected to
/// <c>/cdn/{sha256}</c> with <c>X-Linked-Etag</c>/<c>X-Linked-Size</c>, and the hub's error codes. Faults can be
/// injected per file: cut the connection mid-body, send corrupted bytes. One request per connection; the accept loop
/// and every read are bounded.
/// </summary>
public sealed class FakeHub : IDisposable
{
    const int MaxRequests = 5_000;

    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    readonly ConcurrentDictionary<string, FakeRepo> _repos = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, ConcurrentQueue<Func<byte[], long, (byte[] Body, long? CutAt)>>> _faults = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, bool> _alwaysCorrupt = new(StringComparer.Ordinal);

    public FakeHub()
    {
        _listener.Start();
        Endpoint = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string Endpoint { get; }

    public ConcurrentQueue<HubRequest> Requests { get; } = new();

    /// <summary>Body bytes sent per repo file (resolve and CDN together).</summary>
    public ConcurrentDictionary<string, long> BytesServed { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, API and resolve requests without "Authorization: Bearer {token}" get 401.</summary>
    public string? RequiredToken { get; set; }

    public FakeRepo AddRepo(string id, IReadOnlyDictionary<string, byte[]> files, params string[] refs)
    {
        var commit = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(id + string.Join(",", files.Keys.Order(StringComparer.Ordinal)))));
        var repo = new FakeRepo(id, commit, files, refs.Append("main").ToHashSet(StringComparer.Ordinal));
        _repos[id] = repo;
        return repo;
    }

    /// <summary>The next GET of <paramref name="path"/> sends its headers, the bytes up to <paramref name="offset"/>, then drops the connection.</summary>
    public void CutOnce(string path, long offset) => Fault(path, (body, start) => (body, offset - start));

    /// <summary>The next GET of <paramref name="path"/> sends wrong bytes (one flipped in the middle).</summary>
    public void CorruptOnce(string path) => Fault(path, (body, _) => (Corrupt(body), null));

    /// <summary>Every GET of <paramref name="path"/> sends wrong bytes.</summary>
    public void CorruptAlways(string path) => _alwaysCorrupt[path] = true;

    public int CountOf(string method, string pathContains) =>
        Requests.Count(r => r.Method == method && r.Path.Contains(pathContains, StringComparison.Ordinal));

    void Fault(string path, Func<byte[], long, (byte[], long?)> fault) => _faults.GetOrAdd(path, _ => new()).Enqueue(fault);

    static byte[] Corrupt(byte[] body)
    {
        var copy = (byte[])body.Clone();
        if (copy.Length > 0) copy[copy.Length / 2] ^= 0xFF;
        return copy;
    }

    async Task AcceptLoopAsync()
    {
        for (var handled = 0; handled < MaxRequests && !_stop.IsCancellationRequested; handled++)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    async Task HandleAsync(TcpClient client)
    {
        using (client)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                var stream = client.GetStream();
                var (method, target, headers) = await ReadHeadAsync(stream, timeout.Token);
                headers.TryGetValue("range", out var range);
                headers.TryGetValue("authorization", out var authorization);
                var path = target.Split('?')[0];
                Requests.Enqueue(new HubRequest(method, path, range, authorization));
                await RespondAsync(stream, method, path, range, authorization, timeout.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or InvalidDataException)
            {
                // The client went away or sent nonsense: nothing to answer.
            }
        }
    }

    static async Task<(string Method, string Target, Dictionary<string, string> Headers)> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (true)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (n == 0) throw new InvalidDataException("connection closed before the request head ended");
            length += n;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var lines = Encoding.ASCII.GetString(buffer, 0, end).Split("\r\n");
                var parts = lines[0].Split(' ');
                if (parts.Length != 3) throw new InvalidDataException("bad request line");
                var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                    .GroupBy(p => p[0].Trim().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
                return (parts[0], parts[1], headers);
            }
            if (length == buffer.Length) throw new InvalidDataException("request head too large");
        }
    }

    async Task RespondAsync(NetworkStream stream, string method, string path, string? range, string? authorization, CancellationToken ct)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var authorized = RequiredToken is null || authorization == $"Bearer {RequiredToken}";

        if (segments is ["api", "models", var org, var name, "revision", var revision])
        {
            if (!authorized) { await SendAsync(stream, 401, Headers(), null, ct); return; }
            if (!_repos.TryGetValue($"{org}/{name}", out var repo)) { await SendAsync(stream, 404, Headers(("X-Error-Code", "RepoNotFound")), null, ct); return; }
            if (!repo.Knows(revision)) { await SendAsync(stream, 404, Headers(("X-Error-Code", "RevisionNotFound")), null, ct); return; }
            var json = JsonSerializer.SerializeToUtf8Bytes(new
            {
                id = repo.Id,
                sha = repo.Commit,
                siblings = repo.Files.Keys.Order(StringComparer.Ordinal).Select(f => new { rfilename = f }),
            });
            await SendAsync(stream, 200, Headers(("Content-Type", "application/json")), method == "HEAD" ? null : json, ct, json.Length);
            return;
        }

        if (segments.Length >= 5 && segments[2] == "resolve")
        {
            if (!authorized) { await SendAsync(stream, 401, Headers(), null, ct); return; }
            if (!_repos.TryGetValue($"{segments[0]}/{segments[1]}", out var repo)) { await SendAsync(stream, 404, Headers(("X-Error-Code", "RepoNotFound")), null, ct); return; }
            if (!repo.Knows(segments[3])) { await SendAsync(stream, 404, Headers(("X-Error-Code", "RevisionNotFound")), null, ct); return; }
            var file = string.Join('/', segments[4..]);
            if (!repo.Files.TryGetValue(file, out var bytes)) { await SendAsync(stream, 404, Headers(("X-Error-Code", "EntryNotFound")), null, ct); return; }
            if (FakeRepo.IsLfs(file))
            {
                var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
                await SendAsync(stream, 302, Headers(("Location", $"{Endpoint}/cdn/{sha256}"), ("X-Repo-Commit", repo.Commit),
                    ("X-Linked-Etag", $"\"{sha256}\""), ("X-Linked-Size", bytes.Length.ToString()), ("ETag", $"\"{FakeRepo.GitBlobSha1(Encoding.UTF8.GetBytes(sha256))}\"")), null, ct);
                return;
            }
            await SendFileAsync(stream, method, file, bytes, range, Headers(("ETag", $"\"{FakeRepo.GitBlobSha1(bytes)}\""), ("X-Repo-Commit", repo.Commit)), ct);
            return;
        }

        if (segments is ["cdn", var hash])
        {
            foreach (var repo in _repos.Values)
                foreach (var (file, bytes) in repo.Files)
                    if (FakeRepo.IsLfs(file) && Convert.ToHexStringLower(SHA256.HashData(bytes)) == hash)
                    {
                        await SendFileAsync(stream, method, file, bytes, range, Headers(("ETag", $"\"{hash}\"")), ct);
                        return;
                    }
        }

        await SendAsync(stream, 404, Headers(), null, ct);
    }

    async Task SendFileAsync(NetworkStream stream, string method, string file, byte[] bytes, string? range, List<(string, string)> headers, CancellationToken ct)
    {
        headers.Add(("Accept-Ranges", "bytes"));
        long start = 0;
        var status = 200;
        if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') && long.TryParse(range[6..^1], out var from))
        {
            if (from >= bytes.Length)
            {
                headers.Add(("Content-Range", $"bytes */{bytes.Length}"));
                await SendAsync(stream, 416, headers, null, ct);
                return;
            }
            start = from;
            status = 206;
            headers.Add(("Content-Range", $"bytes {from}-{bytes.Length - 1}/{bytes.Length}"));
        }
        var body = bytes[(int)start..];
        if (method == "HEAD")
        {
            await SendAsync(stream, status, headers, null, ct, body.Length);
            return;
        }

        long? cutAt = null;
        if (_faults.TryGetValue(file, out var faults) && faults.TryDequeue(out var fault)) (body, cutAt) = fault(body, start);
        if (_alwaysCorrupt.ContainsKey(file)) body = Corrupt(body);
        var sent = cutAt is { } cut ? (int)Math.Clamp(cut, 0, body.Length) : body.Length;
        BytesServed.AddOrUpdate(file, sent, (_, n) => n + sent);
        await SendAsync(stream, status, headers, body.AsMemory(0, sent), ct, body.Length);
    }

    static List<(string, string)> Headers(params (string, string)[] headers) => headers.ToList();

    /// <summary>Writes status, headers and <paramref name="body"/>; Content-Length says <paramref name="contentLength"/> (the full body) even when fewer bytes follow.</summary>
    static async Task SendAsync(NetworkStream stream, int status, List<(string Name, string Value)> headers, ReadOnlyMemory<byte>? body, CancellationToken ct,
                                long? contentLength = null)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\n");
        foreach (var (name, value) in headers) head.Append($"{name}: {value}\r\n");
        head.Append($"Content-Length: {contentLength ?? body?.Length ?? 0}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
        if (body is { } b) await stream.WriteAsync(b, ct);
        await stream.FlushAsync(ct);
    }

    static string Reason(int status) => status switch
    {
        200 => "OK", 206 => "Partial Content", 302 => "Found", 401 => "Unauthorized", 404 => "Not Found", 416 => "Range Not Satisfiable", _ => "Status",
    };

    bool _disposed;

    /// <summary>Stops the server; safe to call twice (tests stop it early to prove later runs need no network).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
