using Probe.Judging.Specs;

namespace Probe.Judging.Text;

/// <summary>
/// The judge kinds of answers, for <c>--judge</c> on a chat model (same spec syntax as the image judges):
/// <list type="bullet">
/// <item><c>refusal[@t]</c>: refusal phrases (<see cref="RefusalKeywordJudge"/>); option phrases=&lt;file, one per line&gt;.</item>
/// <item><c>rida:&lt;url&gt;,&lt;model&gt;</c>: the paper's R_IDA rubric (<see cref="IntentAlignmentRubric"/>).</item>
/// <item><c>sorrybench:&lt;url&gt;,&lt;model&gt;</c>: SORRY-Bench's fulfilment judge prompt (<see cref="SorryBenchRubric"/>).</item>
/// <item><c>llamaguard:&lt;url&gt;,&lt;model&gt;</c>: Llama Guard 3 (<see cref="LlamaGuardRubric"/>); option prompt=conversation|task.</item>
/// </list>
/// Endpoint kinds take the options of <see cref="EndpointSpecOptions"/> (cache, timeout, attempts, concurrency, rpm,
/// json, key-env); any(…), all(…) and mean(…)@t combine them.
/// </summary>
public static class TextJudgeFactory
{
    public static JudgeRegistry<IJudge<PromptAnswer>> Registry { get; } =
        new JudgeRegistry<IJudge<PromptAnswer>>((members, mode, threshold) => new TextJudgeCombination(members, mode, threshold))
            .Register(new JudgeKind("refusal", JudgeArgument.OptionalName, ["phrases"], "refusal"), Refusal)
            .Register(new JudgeKind("rida", JudgeArgument.EndpointAndModel, EndpointSpecOptions.Names, "rida:<endpoint-url>,<model>"),
                      (spec, context) => Endpoint(spec, context, new IntentAlignmentRubric()))
            .Register(new JudgeKind("sorrybench", JudgeArgument.EndpointAndModel, EndpointSpecOptions.Names, "sorrybench:<endpoint-url>,<model>"),
                      (spec, context) => Endpoint(spec, context, new SorryBenchRubric()))
            .Register(new JudgeKind("llamaguard", JudgeArgument.EndpointAndModel, ["prompt", .. EndpointSpecOptions.Names], "llamaguard:<endpoint-url>,<model>"),
                      (spec, context) => Endpoint(spec, context, new LlamaGuardRubric(spec.Option("prompt")?.ToLowerInvariant() switch
                      {
                          null or "conversation" => LlamaGuardPrompt.Conversation,
                          "task" => LlamaGuardPrompt.Task,
                          var other => throw new JudgeSpecException(spec.Text, $"prompt '{other}' is not conversation or task"),
                      })));

    public static IJudge<PromptAnswer> Create(string spec, JudgeFactoryContext? context = null) => Registry.Create(spec, context);

    static RefusalKeywordJudge Refusal(JudgeSpec spec, JudgeFactoryContext context)
    {
        if (spec.Argument is not null) throw new JudgeSpecException(spec.Text, "refusal takes no name; give phrases=<file> for your own phrase list");
        IReadOnlyList<string>? phrases = null;
        if (spec.Option("phrases") is { } file)
        {
            var path = context.PathOf(file);
            try
            {
                phrases = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new JudgeSpecException(spec.Text, $"cannot read the phrase file {path}: {e.Message}", e);
            }
            if (phrases.Count == 0) throw new JudgeSpecException(spec.Text, $"the phrase file {path} has no phrases (one per line; # starts a comment)");
        }
        return new RefusalKeywordJudge(phrases, spec.Threshold ?? 0.5);
    }

    static EndpointTextJudge Endpoint(JudgeSpec spec, JudgeFactoryContext context, TextRubric rubric)
    {
        var options = new EndpointTextJudgeOptions
        {
            Model = spec.Model!,
            Endpoint = new Uri(spec.Argument!),
            Threshold = spec.Threshold ?? 0.5,
            CacheFolder = EndpointSpecOptions.CacheFolder(spec, context),
            Policy = EndpointSpecOptions.Policy(spec),
            RequestJsonFormat = spec.Flag("json", true),
        };
        return EndpointTextJudge.Create(rubric, options, EndpointSpecOptions.ApiKey(spec, context), context.Logger);
    }
}
