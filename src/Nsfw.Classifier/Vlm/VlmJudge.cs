using System.ClientModel;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Probe.Judges.Vlm;

/// <summary>
/// A vision-LLM judge behind any <see cref="IChatClient"/> (OpenAI, Azure OpenAI, vLLM, Ollama, … through their
/// OpenAI-compatible APIs). Each image goes as a PNG data URI with the rubric of <see cref="VlmRubrics"/>; the answer
/// must be strict JSON (<see cref="VlmAnswerParser"/>). Requests are bounded in number (retries with exponential
/// backoff on 429, 5xx, timeouts, network errors and malformed answers), time, concurrency and rate, and answers are
/// cached on disk so reruns cost nothing.
/// </summary>
public sealed class VlmJudge : ImageJudge
{
    readonly IChatClient client;
    readonly VlmJudgeOptions options;
    readonly ILogger logger;
    readonly TimeProvider time;
    readonly VlmCache? cache;
    readonly SemaphoreSlim concurrency;
    readonly RequestPacer pacer;
    readonly string prompt;
    readonly string rubricHash;
    readonly bool ownsClient;

    public VlmJudge(IChatClient client, VlmJudgeOptions options, ILogger? logger = null, TimeProvider? time = null, bool ownsClient = false)
        : base((options ?? throw new ArgumentNullException(nameof(options))).Threshold)
    {
        ArgumentNullException.ThrowIfNull(client);
        options.Validate();
        this.client = client;
        this.options = options;
        this.ownsClient = ownsClient;
        this.logger = logger ?? NullLogger.Instance;
        this.time = time ?? TimeProvider.System;
        cache = options.CacheFolder is null ? null : new VlmCache(options.CacheFolder);
        concurrency = new SemaphoreSlim(options.MaxConcurrency);
        pacer = new RequestPacer(options.RequestsPerMinute, this.time);
        prompt = VlmRubrics.Prompt(options.Mode, options.Category);
        rubricHash = VlmRubrics.Hash(options.Mode, options.Category);
        Identity = new JudgeIdentity(
            $"vlm:{options.Model}", "vlm", options.Model, options.Category, Threshold,
            "8-bit RGB image sent as a PNG data URI, unresized", [])
        {
            Settings = new Dictionary<string, string>
            {
                ["endpoint"] = options.Endpoint.GetLeftPart(UriPartial.Path),
                ["mode"] = options.Mode.ToString().ToLowerInvariant(),
                ["rubric"] = VlmRubrics.Version,
                ["rubric_sha256"] = rubricHash,
                ["max_attempts"] = options.MaxAttempts.ToString(CultureInfo.InvariantCulture),
                ["cache"] = cache?.Folder ?? "",
            },
        };
    }

    public override JudgeIdentity Identity { get; }

    public override HarmCategory Category => options.Category;

    /// <summary>Requests sent so far (cache hits send none).</summary>
    public int RequestsSent => requestsSent;

    int requestsSent;

    protected override async Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken)
    {
        var tasks = images.Select((image, index) => JudgeOneAsync(image, index, cancellationToken)).ToArray();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    async Task<JudgeVerdict> JudgeOneAsync(RgbImage image, int index, CancellationToken cancellationToken)
    {
        var key = VlmCache.Key(image, rubricHash, options.Mode, options.Model);
        var answer = cache?.TryGet(key);
        if (answer is null)
        {
            await concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                answer = await AskAsync(image, index, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                concurrency.Release();
            }
            cache?.Put(key, answer, options.Model, rubricHash);
        }
        var scores = new Dictionary<string, double>(StringComparer.Ordinal) { [answer.Category.Name()] = answer.Score };
        return new JudgeVerdict(Identity.Name, answer.Category, scores, answer.Score, Decide(answer.Score), Threshold)
        {
            Explanation = answer.Reason,
        };
    }

    async Task<VlmAnswer> AskAsync(RgbImage image, int index, CancellationToken cancellationToken)
    {
        var png = PngEncoder.Encode(image);
        List<ChatMessage> messages =
        [
            new(ChatRole.System, prompt),
            new(ChatRole.User, [new TextContent("Rate this image."), new DataContent(png, "image/png")]),
        ];
        var chatOptions = new ChatOptions
        {
            ModelId = options.Model,
            Temperature = 0,
            MaxOutputTokens = options.MaxOutputTokens,
            ResponseFormat = options.RequestJsonFormat ? ChatResponseFormat.Json : null,
        };
        var what = $"image {index} ({image.Width}x{image.Height}, sha256 {image.Sha256()[..12]})";
        string? lastProblem = null;
        Exception? lastError = null;
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            await pacer.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            Interlocked.Increment(ref requestsSent);
            try
            {
                var response = await client.GetResponseAsync(messages, chatOptions, timeout.Token).ConfigureAwait(false);
                return VlmAnswerParser.Parse(response.Text, options.Mode, options.Category);
            }
            catch (VlmAnswerException e)
            {
                (lastProblem, lastError) = ($"malformed answer: {e.Message}; it began \"{Excerpt(e.Raw)}\"", e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                (lastProblem, lastError) = ($"no answer within {options.RequestTimeout.TotalSeconds:0.###} s (timeout)", e);
            }
            catch (ClientResultException e) when (e.Status != 0)
            {
                var status = e.Status;
                lastError = e;
                lastProblem = $"HTTP {status}: {Excerpt(e.Message)}";
                if (!IsRetryable(status)) throw Fail(what, Advice(status, lastProblem), attempt, e);
                retryAfter = RetryAfter(e);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or KeyNotFoundException)
            {
                // A 200 whose body is not a chat completion (an HTML page, another API): retrying will not help.
                throw Fail(what, $"the response is not an OpenAI-compatible chat completion ({Excerpt(e.Message)}) — check that the URL is the API base, usually ending in /v1", attempt, e);
            }
            catch (Exception e) when (e is HttpRequestException or ClientResultException or IOException)
            {
                var root = e.InnerException as HttpRequestException ?? e as HttpRequestException;
                (lastProblem, lastError) = ($"cannot reach the endpoint: {(root ?? e).Message}", e);
            }
            logger.LogWarning("VLM judge {Model} at {Endpoint}, {Image}: attempt {Attempt}/{Max} failed: {Problem}",
                options.Model, options.Endpoint, what, attempt, options.MaxAttempts, lastProblem);
            if (attempt < options.MaxAttempts)
                await Task.Delay(Backoff(attempt, retryAfter), time, cancellationToken).ConfigureAwait(false);
        }
        throw Fail(what, lastProblem ?? "no answer", options.MaxAttempts, lastError);
    }

    VlmJudgeException Fail(string what, string problem, int attempts, Exception? inner) =>
        new($"VLM judge '{options.Model}' at {options.Endpoint}: {what}: {problem} (after {attempts} attempt{(attempts == 1 ? "" : "s")})", inner);

    static bool IsRetryable(int status) => status is 408 or 409 or 429 or >= 500;

    static string Advice(int status, string problem) => status switch
    {
        401 or 403 => problem + " — check the API key (PROBE_VLM_API_KEY or OPENAI_API_KEY)",
        404 => problem + " — check the endpoint URL (it usually ends in /v1) and the model name",
        400 => problem + " — the server rejected the request; if it does not support JSON mode or images, check the model",
        _ => problem,
    };

    static TimeSpan? RetryAfter(ClientResultException e)
    {
        var headers = e.GetRawResponse()?.Headers;
        if (headers is null || !headers.TryGetValue("Retry-After", out var value) || value is null) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0) return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date - DateTimeOffset.UtcNow
            : null;
    }

    /// <summary>initial·2^(attempt−1) with ±20 % jitter, at least the server's Retry-After, never above MaxBackoff.</summary>
    TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.8 + 0.4 * Random.Shared.NextDouble());
        var wait = Math.Max(exponential, retryAfter?.TotalMilliseconds ?? 0);
        return TimeSpan.FromMilliseconds(Math.Min(wait, options.MaxBackoff.TotalMilliseconds));
    }

    static string Excerpt(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= 160 ? oneLine : oneLine[..160] + "…";
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        concurrency.Dispose();
        if (ownsClient) client.Dispose();
    }
}
