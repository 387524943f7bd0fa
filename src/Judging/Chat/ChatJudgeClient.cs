using System.ClientModel;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Probe.Core;

namespace Probe.Judging.Chat;

/// <summary>
/// Asks an OpenAI-compatible chat endpoint for a judge's answer, within bounds: retries with exponential backoff (and
/// the server's Retry-After) on 408/409/429/5xx, timeouts, network errors and malformed answers; no retry on other HTTP
/// errors or on a reply that is not a chat completion; a time limit per request, a cap on requests in flight and an
/// optional rate limit shared by all callers. Image and text judges build their messages and parse the answer; this
/// class owns the transport, so both fail the same way: one <see cref="ChatJudgeException"/> naming the endpoint,
/// the model, the item and the last problem, never a made-up score.
/// </summary>
public sealed class ChatJudgeClient : IDisposable
{
    readonly IChatClient _client;
    readonly ChatRequestPolicy _policy;
    readonly ILogger _logger;
    readonly TimeProvider _time;
    readonly SemaphoreSlim _concurrency;
    readonly RequestPacer _pacer;
    readonly bool _ownsClient;
    int _requestsSent;

    public ChatJudgeClient(IChatClient client, Uri endpoint, string model, ChatRequestPolicy policy, ILogger? logger = null,
                           TimeProvider? time = null, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        _client = client;
        Endpoint = endpoint;
        Model = model;
        _policy = policy;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _concurrency = new SemaphoreSlim(policy.MaxConcurrency);
        _pacer = new RequestPacer(policy.RequestsPerMinute, _time);
        _ownsClient = ownsClient;
    }

    public Uri Endpoint { get; }
    public string Model { get; }

    /// <summary>Requests sent so far (cache hits send none).</summary>
    public int RequestsSent => _requestsSent;

    /// <summary>
    /// Sends <paramref name="messages"/> until <paramref name="parse"/> accepts an answer (it throws
    /// <see cref="ChatAnswerException"/> for a malformed one, which is retried).
    /// </summary>
    /// <param name="what">The item, for messages (e.g. "image 3 (512x512, sha256 …)").</param>
    public async Task<T> AskAsync<T>(IList<ChatMessage> messages, ChatOptions options, Func<string, T> parse, string what,
                                     CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(parse);
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await AskWithRetriesAsync(messages, options, parse, what, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _concurrency.Release();
        }
    }

    async Task<T> AskWithRetriesAsync<T>(IList<ChatMessage> messages, ChatOptions options, Func<string, T> parse, string what,
                                         CancellationToken cancellationToken)
    {
        string? lastProblem = null;
        Exception? lastError = null;
        for (var attempt = 1; attempt <= _policy.MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            await _pacer.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_policy.RequestTimeout);
            Interlocked.Increment(ref _requestsSent);
            try
            {
                var response = await _client.GetResponseAsync(messages, options, timeout.Token).ConfigureAwait(false);
                return parse(response.Text);
            }
            catch (ChatAnswerException e)
            {
                (lastProblem, lastError) = ($"malformed answer: {e.Message}; it began \"{Excerpt(e.Raw)}\"", e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                (lastProblem, lastError) = ($"no answer within {_policy.RequestTimeout.TotalSeconds:0.###} s (timeout)", e);
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
            // Log lines are kept and shared: the endpoint's credentials (user info, ?api_key=) never reach them.
            _logger.LogWarning("Chat judge {Model} at {Endpoint}, {Item}: attempt {Attempt}/{Max} failed: {Problem}",
                Model, Redaction.Url(Endpoint), what, attempt, _policy.MaxAttempts, Redaction.Text(lastProblem ?? ""));
            if (attempt < _policy.MaxAttempts)
                await Task.Delay(Backoff(attempt, retryAfter), _time, cancellationToken).ConfigureAwait(false);
        }
        throw Fail(what, lastProblem ?? "no answer", _policy.MaxAttempts, lastError);
    }

    /// <summary>The error names the endpoint without its credentials; a server's own text may echo the URL, so all of it is redacted.</summary>
    ChatJudgeException Fail(string what, string problem, int attempts, Exception? inner) =>
        new(Redaction.Text($"judge '{Model}' at {Redaction.Url(Endpoint)}: {what}: {problem} (after {attempts} attempt{(attempts == 1 ? "" : "s")})"), inner);

    static bool IsRetryable(int status) => status is 408 or 409 or 429 or >= 500;

    static string Advice(int status, string problem) => status switch
    {
        401 or 403 => problem + " — check the API key (" + string.Join(" or ", ChatEndpoint.ApiKeyVariables) + ")",
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
        var exponential = _policy.InitialBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.8 + 0.4 * Random.Shared.NextDouble());
        var wait = Math.Max(exponential, retryAfter?.TotalMilliseconds ?? 0);
        return TimeSpan.FromMilliseconds(Math.Min(wait, _policy.MaxBackoff.TotalMilliseconds));
    }

    static string Excerpt(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= 160 ? oneLine : oneLine[..160] + "…";
    }

    public void Dispose()
    {
        _concurrency.Dispose();
        if (_ownsClient) _client.Dispose();
    }
}
