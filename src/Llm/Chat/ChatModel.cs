using System.Text.Json.Nodes;
using Probe.Llm.ChatTemplates;
using Probe.Llm.Generation;
using Probe.Llm.Models;
using Probe.Llm.Tokenizers;
using static TorchSharp.torch;

namespace Probe.Llm.Chat;

/// <summary>
/// A chat model as a Hugging Face folder holds it: the causal LM, its tokenizer, its chat template and its
/// generation_config.json. Turns a user request into the model's prompt exactly as transformers'
/// <c>apply_chat_template(add_generation_prompt=True)</c> does, and answers batches of requests with per-answer seeds.
/// </summary>
public sealed class ChatModel : IDisposable
{
    ChatModel(string folder, DecoderForCausalLM model, PreTrainedTokenizerFast tokenizer, ChatTemplate template, GenerationConfig generation)
    {
        Folder = folder;
        Model = model;
        Tokenizer = tokenizer;
        Template = template;
        Generation = generation;
        var eos = new List<long>(generation.EosTokenIds);
        if (tokenizer.EosTokenId is { } id && !eos.Contains(id)) eos.Add(id);
        EosTokenIds = eos;
        PadTokenId = generation.PadTokenId ?? tokenizer.PadTokenId ?? (eos.Count > 0 ? eos[0] : 0);
    }

    public string Folder { get; }
    public DecoderForCausalLM Model { get; }
    public PreTrainedTokenizerFast Tokenizer { get; }
    public ChatTemplate Template { get; }
    public GenerationConfig Generation { get; }

    /// <summary>Ids that end an answer: generation_config.json's eos_token_id(s) and the tokenizer's eos token.</summary>
    public IReadOnlyList<long> EosTokenIds { get; }

    public long PadTokenId { get; }

    /// <summary>Loads the model, tokenizer and chat template of <paramref name="folder"/>.</summary>
    public static ChatModel Load(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!File.Exists(Path.Combine(folder, "tokenizer.json")))
            throw new ModelLoadException($"{folder}: no tokenizer.json; a chat model folder holds the tokenizer beside the weights (tokenizer.save_pretrained(dir))");
        var tokenizer = PreTrainedTokenizerFast.FromPretrained(folder);
        var source = tokenizer.ChatTemplate
            ?? throw new ModelLoadException($"{folder}: the tokenizer has no chat template (tokenizer_config.json 'chat_template' or chat_template.jinja): this is a base model, not a chat model");
        var template = ChatTemplate.Parse(source, Path.Combine(folder, "tokenizer_config.json"));
        var generation = GenerationConfig.Load(folder);
        var model = AutoModelForCausalLM.FromPretrained(folder, device, dtype);
        if (tokenizer.VocabSize > model.Config.VocabSize + 1024)
        {
            model.Dispose();
            throw new ModelLoadException($"{folder}: the tokenizer has {tokenizer.VocabSize} tokens but the model's vocabulary is {model.Config.VocabSize}: they do not belong together");
        }
        return new ChatModel(folder, model, tokenizer, template, generation);
    }

    /// <summary>The prompt text the model sees for one user request (and an optional system message).</summary>
    public string Render(string request, string? system = null, IReadOnlyDictionary<string, JsonNode?>? templateKwargs = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var messages = new List<ChatMessage>();
        if (system is not null) messages.Add(ChatMessage.Of("system", system));
        messages.Add(ChatMessage.Of("user", request));
        var special = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (k, v) in Tokenizer.SpecialTokensMap) special[k] = JsonValue.Create(v);
        special["additional_special_tokens"] = new JsonArray(Tokenizer.AdditionalSpecialTokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
        return Template.Render(messages, new ChatTemplateOptions
        {
            AddGenerationPrompt = true,
            SpecialTokens = special,
            TemplateKwargs = templateKwargs ?? new Dictionary<string, JsonNode?>(),
        });
    }

    /// <summary>The prompt's token ids: the rendered template, encoded without adding special tokens (the template writes them).</summary>
    public long[] PromptIds(string request, string? system = null, IReadOnlyDictionary<string, JsonNode?>? templateKwargs = null) =>
        Tokenizer.EncodeToIds(Render(request, system, templateKwargs), addSpecialTokens: false).Select(i => (long)i).ToArray();

    /// <summary>
    /// Answers <paramref name="requests"/> together (left padded), answer i drawn with <paramref name="seeds"/>[i], so an
    /// answer does not depend on which other requests share its batch.
    /// </summary>
    public IReadOnlyList<ChatAnswer> Answer(IReadOnlyList<string> requests, IReadOnlyList<long> seeds, ChatSampling sampling,
                                            IProgress<GenerationProgress>? progress = null, string? system = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(sampling);
        if (seeds.Count != requests.Count) throw new ArgumentException($"{seeds.Count} seeds for {requests.Count} requests", nameof(seeds));
        sampling.Validate();
        if (requests.Count == 0) return [];
        var prompts = requests.Select(r => PromptIds(r, system)).ToArray();
        using var scope = NewDisposeScope();
        var (ids, mask) = LeftPadded(prompts);
        var result = CausalLMGeneration.Generate(Model, ids, mask, new GenerationOptions
        {
            MaxNewTokens = sampling.MaxNewTokens,
            DoSample = sampling.DoSample,
            Sampling = sampling.Options,
            EosTokenIds = EosTokenIds,
            PadTokenId = PadTokenId,
            Seeds = seeds,
            Progress = progress,
        });
        var promptLength = ids.shape[1];
        var sequences = result.Sequences.cpu();
        var answers = new ChatAnswer[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var generated = sequences[i].slice(0, promptLength, promptLength + result.GeneratedLengths[i], 1).data<long>().ToArray();
            var finished = generated.Length > 0 && EosTokenIds.Contains(generated[^1]);
            answers[i] = new ChatAnswer(Tokenizer.Decode(generated, skipSpecialTokens: true).Trim(), generated, finished);
        }
        return answers;
    }

    (Tensor Ids, Tensor Mask) LeftPadded(IReadOnlyList<long[]> prompts)
    {
        var length = prompts.Max(p => p.Length);
        var ids = new long[prompts.Count * length];
        var mask = new long[prompts.Count * length];
        for (var i = 0; i < prompts.Count; i++)
        {
            var offset = i * length + (length - prompts[i].Length);
            Array.Fill(ids, PadTokenId, i * length, length - prompts[i].Length);
            prompts[i].CopyTo(ids, offset);
            Array.Fill(mask, 1L, offset, prompts[i].Length);
        }
        return (tensor(ids, [prompts.Count, length], device: Model.Device), tensor(mask, [prompts.Count, length], device: Model.Device));
    }

    public void Dispose() => Model.Dispose();
}
