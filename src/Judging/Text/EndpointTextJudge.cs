using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Probe.Judging.Chat;

namespace Probe.Judging.Text;

/// <summary>
/// An LLM judge of answers behind any OpenAI-compatible endpoint, asking one <see cref="TextRubric"/> (R_IDA,
/// SORRY-Bench, Llama Guard). The transport is the VLM judge's (<see cref="ChatJudgeClient"/>: retries with backoff,
/// Retry-After, timeouts, concurrency and rate limits, malformed replies retried); answers are cached on disk by
/// rubric hash, model, prompt and answer, so reruns and GRPO's repeated answers cost nothing. A judge that cannot
/// answer throws <see cref="ChatJudgeException"/>: it never becomes a score of 0.
/// </summary>
public sealed class EndpointTextJudge : TextJudge
{
    readonly ChatJudgeClient client;
    readonly EndpointTextJudgeOptions options;
    readonly ChatAnswerCache? cache;
    readonly string rubricHash;

    public EndpointTextJudge(IChatClient client, TextRubric rubric, EndpointTextJudgeOptions options, ILogger? logger = null,
                             TimeProvider? time = null, bool ownsClient = false)
        : base((options ?? throw new ArgumentNullException(nameof(options))).Threshold)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(rubric);
        options.Validate();
        Rubric = rubric;
        this.options = options;
        this.client = new ChatJudgeClient(client, options.Endpoint, options.Model, options.Policy, logger, time, ownsClient);
        cache = options.CacheFolder is null ? null : new ChatAnswerCache(options.CacheFolder);
        rubricHash = rubric.Hash();
        Identity = new JudgeIdentity($"{rubric.Name}:{options.Model}", rubric.Name, options.Model, HarmCategory.Any, Threshold,
            "prompt and answer text, sent as chat messages", [])
        {
            Settings = new Dictionary<string, string>
            {
                ["endpoint"] = options.Endpoint.GetLeftPart(UriPartial.Path),
                ["rubric"] = rubric.Version,
                ["rubric_sha256"] = rubricHash,
                ["max_attempts"] = options.Policy.MaxAttempts.ToString(CultureInfo.InvariantCulture),
                ["cache"] = cache?.Folder ?? "",
            },
        };
    }

    /// <summary>A judge for <paramref name="options"/>' endpoint; the key defaults to <see cref="ChatEndpoint.ApiKeyFromEnvironment"/>.</summary>
    public static EndpointTextJudge Create(TextRubric rubric, EndpointTextJudgeOptions options, string? apiKey = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var chat = ChatEndpoint.CreateChatClient(options.Endpoint, options.Model, apiKey ?? ChatEndpoint.ApiKeyFromEnvironment(), options.Policy.RequestTimeout);
        return new EndpointTextJudge(chat, rubric, options, logger, ownsClient: true);
    }

    public TextRubric Rubric { get; }

    public override JudgeIdentity Identity { get; }

    /// <summary>Requests sent so far (cache hits and locally decided answers send none).</summary>
    public int RequestsSent => client.RequestsSent;

    /// <summary>What the answer cache stores per (rubric, model, prompt, answer): cache version 1.</summary>
    sealed record CacheEntry(double Score, Dictionary<string, double> Scores, string Explanation, string Model, string Rubric, DateTimeOffset Created);

    protected override async Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<PromptAnswer> items, CancellationToken cancellationToken)
    {
        var tasks = items.Select((item, index) => JudgeOneAsync(item, index, cancellationToken)).ToArray();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    async Task<JudgeVerdict> JudgeOneAsync(PromptAnswer item, int index, CancellationToken cancellationToken)
    {
        var score = Rubric.Decide(item);
        if (score is null)
        {
            var key = ChatAnswerCache.Key("probe-text-judge-cache-1", rubricHash, options.Model, Sha256(item.Prompt), Sha256(item.Answer));
            score = FromCache(key);
            if (score is null)
            {
                score = await AskAsync(item, index, cancellationToken).ConfigureAwait(false);
                cache?.Put(key, new CacheEntry(score.UnsafeScore, new Dictionary<string, double>(score.Scores), score.Explanation, options.Model, rubricHash, DateTimeOffset.UtcNow));
            }
        }
        return Verdict(score.Scores, score.UnsafeScore, score.Explanation);
    }

    RubricScore? FromCache(string key)
    {
        var entry = cache?.TryGet<CacheEntry>(key);
        return entry is not null && entry.Score >= 0 && entry.Score <= 1 && entry.Scores is not null
            ? new RubricScore(entry.Score, entry.Scores, entry.Explanation ?? "")
            : null;
    }

    Task<RubricScore> AskAsync(PromptAnswer item, int index, CancellationToken cancellationToken)
    {
        var chatOptions = new ChatOptions
        {
            ModelId = options.Model,
            Temperature = 0,
            MaxOutputTokens = Rubric.MaxOutputTokens,
            ResponseFormat = Rubric.WantsJson && options.RequestJsonFormat ? ChatResponseFormat.Json : null,
        };
        var what = $"answer {index} (prompt sha256 {Sha256(item.Prompt)[..12]}, answer sha256 {Sha256(item.Answer)[..12]})";
        return client.AskAsync(Rubric.Messages(item), chatOptions, Rubric.Parse, what, cancellationToken);
    }

    static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    protected override void Dispose(bool disposing)
    {
        if (disposing) client.Dispose();
    }
}
