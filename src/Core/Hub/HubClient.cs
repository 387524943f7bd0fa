using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Probe.Core.Hub;

/// <summary>
/// The three hub requests a download needs: the repo listing (API), a file's metadata (HEAD of its resolve URL,
/// following only same-host redirects, as huggingface_hub does) and a file's bytes (GET, resumable with Range).
/// The token goes only to the hub's own host, never to a CDN it redirects to.
/// </summary>
sealed class HubClient(HttpClient http, HubSettings settings, HubOptions options, ILogger logger)
{
    const int MaxRedirects = 5;
    const int MaxApiResponseBytes = 64 << 20;

    readonly Uri _endpoint = new(settings.Endpoint.TrimEnd('/') + "/");

    /// <summary>Creates the HttpClient the hub needs: redirects handled here, no decompression (sizes must be real).</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public Uri ResolveUrl(string repoId, string revision, string path) =>
        new(_endpoint, $"{repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}");

    public async Task<HubRepoInfo> GetRepoInfoAsync(string repoId, string revision, CancellationToken ct)
    {
        var url = new Uri(_endpoint, $"api/models/{repoId}/revision/{Uri.EscapeDataString(revision)}");
        using var timeout = WithTimeout(ct, options.RequestTimeout);
        using var response = await SendAsync(HttpMethod.Get, url, null, timeout.Token, ct, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
            throw Error(response, repoId, revision, null);
        if (response.Content.Headers.ContentLength > MaxApiResponseBytes)
            throw new ModelResolutionException(ModelResolutionError.Network, $"{url}: the repo listing is implausibly large ({response.Content.Headers.ContentLength} bytes)");
        var json = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var commit = root.TryGetProperty("sha", out var sha) && sha.ValueKind == JsonValueKind.String ? sha.GetString()! : null;
            if (commit is null || !HubCache.IsCommitHash(commit))
                throw new ModelResolutionException(ModelResolutionError.Network, $"{url}: the hub's answer has no commit hash ('sha')");
            var files = new HashSet<string>(StringComparer.Ordinal);
            if (root.TryGetProperty("siblings", out var siblings) && siblings.ValueKind == JsonValueKind.Array)
                foreach (var sibling in siblings.EnumerateArray())
                    if (sibling.ValueKind == JsonValueKind.Object && sibling.TryGetProperty("rfilename", out var name) && name.ValueKind == JsonValueKind.String)
                        files.Add(name.GetString()!);
            return new HubRepoInfo(commit, files);
        }
        catch (JsonException e)
        {
            throw new ModelResolutionException(ModelResolutionError.Network, $"{url}: the hub's answer is not JSON ({e.Message})", e);
        }
    }

    public async Task<HubFileMetadata> GetFileMetadataAsync(string repoId, string commit, string path, CancellationToken ct)
    {
        var url = ResolveUrl(repoId, commit, path);
        using var timeout = WithTimeout(ct, options.RequestTimeout);
        for (var redirects = 0; ; redirects++)
        {
            using var response = await SendAsync(HttpMethod.Head, url, null, timeout.Token, ct, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var target = location.IsAbsoluteUri ? location : new Uri(url, location);
                // Same host: a renamed repo; follow it. Another host: the CDN; its URL is where the bytes are.
                if (SameHost(target, _endpoint) && redirects < MaxRedirects)
                {
                    url = target;
                    continue;
                }
                return Metadata(path, response, target);
            }
            if (!response.IsSuccessStatusCode) throw Error(response, repoId, commit, path);
            return Metadata(path, response, url);
        }
    }

    static HubFileMetadata Metadata(string path, HttpResponseMessage response, Uri location)
    {
        var etag = Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag ?? Header(response, "ETag");
        if (etag is null || NormalizeEtag(etag) is not { Length: > 0 } normalized || normalized.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
            throw new ModelResolutionException(ModelResolutionError.Network,
                $"{path}: the hub gave no usable ETag ({etag ?? "none"}), so the file cannot be cached or verified");
        var size = long.TryParse(Header(response, "X-Linked-Size"), out var linked) ? linked : response.Content.Headers.ContentLength;
        return new HubFileMetadata(path, normalized, size, Header(response, "X-Repo-Commit"), location);
    }

    /// <summary>Strips the weak marker and quotes: <c>W/"abc"</c> → <c>abc</c>.</summary>
    public static string NormalizeEtag(string etag)
    {
        var e = etag.Trim();
        if (e.StartsWith("W/", StringComparison.Ordinal)) e = e[2..];
        return e.Trim('"');
    }

    /// <summary>
    /// Appends the rest of <paramref name="file"/> to <paramref name="incompletePath"/>, asking for the missing range
    /// when part is already there. Throws <see cref="IOException"/> (or <see cref="HttpRequestException"/>) when the
    /// transfer breaks, leaving what arrived for the next try to resume from.
    /// </summary>
    public async Task DownloadAsync(HubFileMetadata file, string incompletePath, Action<long> progress, CancellationToken ct)
    {
        long offset = File.Exists(incompletePath) ? new FileInfo(incompletePath).Length : 0;
        if (file.Size is { } size)
        {
            if (offset == size) return;
            if (offset > size)
            {
                logger.LogWarning("{File}: {Incomplete} is longer than the file ({Length} > {Size} bytes); starting again", file.Path, incompletePath, offset, size);
                File.Delete(incompletePath);
                offset = 0;
            }
        }

        var url = file.Location;
        using var headers = WithTimeout(ct, options.RequestTimeout);
        HttpResponseMessage response;
        for (var redirects = 0; ; redirects++)
        {
            response = await SendAsync(HttpMethod.Get, url, offset > 0 ? offset : null, headers.Token, ct, HttpCompletionOption.ResponseHeadersRead);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location && redirects < MaxRedirects)
            {
                url = location.IsAbsoluteUri ? location : new Uri(url, location);
                response.Dispose();
                continue;
            }
            break;
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
                return; // everything is there already; verification decides whether it is right
            if (!response.IsSuccessStatusCode)
                throw (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests
                    ? new IOException($"{file.Path}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}")
                    : Error(response, null, file.Commit, file.Path);

            if (offset > 0 && response.StatusCode != HttpStatusCode.PartialContent)
            {
                logger.LogInformation("{File}: the server ignored the range request; downloading from the start", file.Path);
                offset = 0;
            }
            else if (offset > 0 && response.Content.Headers.ContentRange?.From != offset)
            {
                throw new IOException($"{file.Path}: asked for bytes from {offset}, the server sent {response.Content.Headers.ContentRange}");
            }
            else if (offset > 0)
            {
                logger.LogInformation("{File}: resuming at byte {Offset}", file.Path, offset);
            }

            await using var output = new FileStream(incompletePath, offset > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            await using var input = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[1 << 20];
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
            while (true)
            {
                stall.CancelAfter(options.StallTimeout);
                int n;
                try
                {
                    n = await input.ReadAsync(buffer, stall.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new IOException($"{file.Path}: no data for {options.StallTimeout.TotalSeconds:F0} s");
                }
                if (n == 0) break;
                await output.WriteAsync(buffer.AsMemory(0, n), ct);
                progress(n);
            }
            await output.FlushAsync(ct);
            output.Flush(flushToDisk: true);
        }
    }

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, long? rangeFrom, CancellationToken timeout, CancellationToken ct,
                                              HttpCompletionOption completion)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Probe", typeof(HubClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        if (settings.Token is { } token && SameHost(url, _endpoint))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (rangeFrom is { } from)
            request.Headers.Range = new RangeHeaderValue(from, null);
        try
        {
            return await http.SendAsync(request, completion, timeout);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new HttpRequestException($"{method} {url} timed out after {options.RequestTimeout.TotalSeconds:F0} s", e);
        }
    }

    /// <summary>An error status as the user should read it: what is wrong and what to do.</summary>
    ModelResolutionException Error(HttpResponseMessage response, string? repoId, string? revision, string? path)
    {
        var status = (int)response.StatusCode;
        var code = Header(response, "X-Error-Code");
        var hubMessage = Header(response, "X-Error-Message") is { } m ? $" The hub says: {m}" : "";
        var repo = repoId is null ? "" : $"'{repoId}'";
        var what = path is null ? $"repo {repo}" : $"{path} in {(repoId is null ? "the repo" : repo)}";
        var tokenAdvice = settings.Token is null
            ? "set HF_TOKEN to an access token (https://huggingface.co/settings/tokens) of an account that has access"
            : "the token in HF_TOKEN was sent but does not give access: check it is valid and that its account was granted access";

        return (code, status) switch
        {
            ("RepoNotFound", _) => new(ModelResolutionError.NotFound,
                $"no such repo {repo} on {settings.Endpoint} (or it is private: {tokenAdvice}).{hubMessage}"),
            ("RevisionNotFound", _) => new(ModelResolutionError.NotFound,
                $"no such revision '{revision}' in repo {repo}: check the branch, tag or commit.{hubMessage}"),
            ("EntryNotFound", _) => new(ModelResolutionError.NotFound, $"no such file: {what} at revision {revision}.{hubMessage}"),
            ("GatedRepo", _) or (_, 401 or 403) => new(ModelResolutionError.Unauthorized,
                $"{what} is gated or private (HTTP {status}): {tokenAdvice}; for a gated repo also accept its conditions on the model page.{hubMessage}"),
            (_, 404) when path is null => new(ModelResolutionError.NotFound,
                $"no such repo {repo} or no revision '{revision}' in it on {settings.Endpoint}.{hubMessage}"),
            (_, 404) => new(ModelResolutionError.NotFound, $"no such file: {what} at revision {revision}.{hubMessage}"),
            _ => new(ModelResolutionError.Network, $"{what}: the hub answered {status} {response.ReasonPhrase}.{hubMessage}"),
        };
    }

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    static bool SameHost(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    static CancellationTokenSource WithTimeout(CancellationToken ct, TimeSpan after)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(after);
        return cts;
    }
}
