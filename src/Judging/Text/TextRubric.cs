using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace Probe.Judging.Text;

/// <summary>A rubric judge's reading of one answer: the unsafe (fulfilment) score in [0,1], every sub-score, its words.</summary>
public sealed record RubricScore(double UnsafeScore, IReadOnlyDictionary<string, double> Scores, string Explanation);

/// <summary>
/// How an LLM judge is asked about one answer and how its reply is read: the messages, the parser (which throws
/// <see cref="Chat.ChatAnswerException"/> for a malformed reply, so the client retries), and an optional local rule that
/// decides without a request. One <see cref="EndpointTextJudge"/> serves every rubric.
/// </summary>
public abstract class TextRubric
{
    /// <summary>Short name used in judge names and specs: "rida", "sorrybench", "llamaguard".</summary>
    public abstract string Name { get; }

    /// <summary>Version of the prompt text; part of the cache key, so a changed rubric never reads old answers.</summary>
    public abstract string Version { get; }

    /// <summary>Whether the endpoint should be asked for a JSON object (response_format json_object).</summary>
    public virtual bool WantsJson => false;

    /// <summary>Largest reply the rubric needs, in tokens.</summary>
    public virtual int MaxOutputTokens => 64;

    public abstract IList<ChatMessage> Messages(PromptAnswer item);

    public abstract RubricScore Parse(string reply);

    /// <summary>A score decided without asking (e.g. an empty answer), or null to ask the endpoint.</summary>
    public virtual RubricScore? Decide(PromptAnswer item) => null;

    /// <summary>SHA-256 of the rubric's text (the messages of a fixed probe item), recorded in manifests and cache keys.</summary>
    public string Hash()
    {
        var text = string.Join("\n---\n", Messages(new PromptAnswer("{request}", "{response}")).Select(m => $"{m.Role}: {m.Text}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Name + "\n" + Version + "\n" + text)));
    }
}
