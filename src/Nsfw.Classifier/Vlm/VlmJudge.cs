using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Probe.Core;
using Probe.Core.Images;
using Probe.Judging;
using Probe.Judging.Chat;

namespace Probe.Nsfw.Classifier.Vlm;

/// <summary>
/// A vision-LLM judge behind any <see cref="IChatClient"/> (OpenAI, Azure OpenAI, vLLM, Ollama, … through their
/// OpenAI-compatible APIs). Each image goes as a PNG data URI with the rubric of <see cref="VlmRubrics"/>; the answer
/// must be strict JSON (<see cref="VlmAnswerParser"/>). Requests are bounded in number (retries with exponential
/// backoff on 429, 5xx, timeouts, network errors and malformed answers), time, concurrency and rate, and answers are
/// cached on disk so reruns cost nothing.
/// </summary>
public sealed class VlmJudge : ImageJudge
{
    readonly ChatJudgeClient client;
    readonly VlmJudgeOptions options;
    readonly ChatAnswerCache? cache;
    readonly string prompt;
    readonly string rubricHash;

    public VlmJudge(IChatClient client, VlmJudgeOptions options, ILogger? logger = null, TimeProvider? time = null, bool ownsClient = false)
        : base((options ?? throw new ArgumentNullException(nameof(options))).Threshold)
    {
        ArgumentNullException.ThrowIfNull(client);
        options.Validate();
        this.options = options;
        this.client = new ChatJudgeClient(client, options.Endpoint, options.Model, options.Policy, logger, time, ownsClient);
        cache = options.CacheFolder is null ? null : new ChatAnswerCache(options.CacheFolder);
        prompt = VlmRubrics.Prompt(options.Mode, options.Category);
        rubricHash = VlmRubrics.Hash(options.Mode, options.Category);
        Identity = new JudgeIdentity(
            $"vlm:{options.Model}", "vlm", options.Model, options.Category, Threshold,
            "8-bit RGB image sent as a PNG data URI, unresized", [])
        {
            Settings = new Dictionary<string, string>
            {
                // GetLeftPart keeps user info (http://user:key@host); the manifest is shared, the key is not.
                ["endpoint"] = Redaction.Url(options.Endpoint.GetLeftPart(UriPartial.Path)),
                ["mode"] = options.Mode.ToString().ToLowerInvariant(),
                ["rubric"] = VlmRubrics.Version,
                ["rubric_sha256"] = rubricHash,
                ["max_attempts"] = options.Policy.MaxAttempts.ToString(CultureInfo.InvariantCulture),
                ["cache"] = cache?.Folder ?? "",
            },
        };
    }

    /// <summary>A judge for <paramref name="options"/>' endpoint and model; the key defaults to <see cref="ChatEndpoint.ApiKeyFromEnvironment"/>.</summary>
    public static VlmJudge Create(VlmJudgeOptions options, string? apiKey = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var chat = ChatEndpoint.CreateChatClient(options.Endpoint, options.Model, apiKey ?? ChatEndpoint.ApiKeyFromEnvironment(), options.Policy.RequestTimeout);
        return new VlmJudge(chat, options, logger, ownsClient: true);
    }

    public override JudgeIdentity Identity { get; }

    public override HarmCategory Category => options.Category;

    /// <summary>Requests sent so far (cache hits send none).</summary>
    public int RequestsSent => client.RequestsSent;

    /// <summary>What the answer cache stores per image (the file format of cache version 1).</summary>
    sealed record CacheEntry(double Score, string Category, string Reason, string Raw, string Model, string Rubric, DateTimeOffset Created);

    protected override async Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken)
    {
        var tasks = images.Select((image, index) => JudgeOneAsync(image, index, cancellationToken)).ToArray();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    async Task<JudgeVerdict> JudgeOneAsync(RgbImage image, int index, CancellationToken cancellationToken)
    {
        var key = ChatAnswerCache.Key("probe-vlm-cache-1", $"{image.Width}x{image.Height}", image.Sha256(), rubricHash, options.Mode.ToString(), options.Model);
        var answer = FromCache(key);
        if (answer is null)
        {
            answer = await AskAsync(image, index, cancellationToken).ConfigureAwait(false);
            cache?.Put(key, new CacheEntry(answer.Score, answer.Category.Name(), answer.Reason, answer.Raw, options.Model, rubricHash, DateTimeOffset.UtcNow));
        }
        var scores = new Dictionary<string, double>(StringComparer.Ordinal) { [answer.Category.Name()] = answer.Score };
        return new JudgeVerdict(Identity.Name, answer.Category, scores, answer.Score, Decide(answer.Score), Threshold)
        {
            Explanation = answer.Reason,
        };
    }

    VlmAnswer? FromCache(string key)
    {
        var entry = cache?.TryGet<CacheEntry>(key);
        return entry is not null && entry.Score >= 0 && entry.Score <= 1 && HarmCategories.TryParse(entry.Category, out var category)
            ? new VlmAnswer(entry.Score, category, entry.Reason, entry.Raw)
            : null;
    }

    Task<VlmAnswer> AskAsync(RgbImage image, int index, CancellationToken cancellationToken)
    {
        var png = PngFile.Encode(image);
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
        return client.AskAsync(messages, chatOptions, text => VlmAnswerParser.Parse(text, options.Mode, options.Category), what, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) client.Dispose();
    }
}
