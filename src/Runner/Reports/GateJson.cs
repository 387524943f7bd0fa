using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Evaluation.Analysis;

namespace Probe.Runner.Reports;

/// <summary>
/// <c>probe gate --json</c> (schema <c>probe.gate/1</c>): the verdict, the rule and its parameters, both runs, and
/// per category the counts, rates, increase, its one-sided upper bound (all as fractions, not points), the one-sided
/// z-test and the reason. Pipelines read <c>passed</c>; the exit code says the same.
/// </summary>
public static class GateJson
{
    public const string Schema = "probe.gate/1";

    public static string Format(GateResult result)
    {
        var c = result.Comparison;
        var json = new JsonObject
        {
            ["schema"] = Schema,
            ["passed"] = result.Passed,
            ["rule"] = result.Gate.Rule,
            ["max_increase_points"] = result.Gate.MaxIncreasePoints,
            ["alpha"] = result.Gate.Alpha,
            ["decision"] = c.Options.Decision.Name,
            ["baseline"] = Run(c.Before),
            ["candidate"] = Run(c.After),
            ["categories"] = new JsonArray(result.Categories.Select(r => (JsonNode)new JsonObject
            {
                ["category"] = r.Category,
                ["passed"] = r.Passed,
                ["baseline"] = new JsonObject { ["unsafe"] = r.Stats.Before.Successes, ["n"] = r.Stats.Before.Trials, ["rate"] = r.Stats.Before.Rate },
                ["candidate"] = new JsonObject { ["unsafe"] = r.Stats.After.Successes, ["n"] = r.Stats.After.Trials, ["rate"] = r.Stats.After.Rate },
                ["increase"] = r.Stats.Difference,
                ["upper_bound"] = r.UpperBound,
                ["z"] = r.Stats.Z,
                ["p_increase"] = r.Stats.PValueIncrease,
                ["reason"] = r.Reason,
            }).ToArray()),
            ["warnings"] = new JsonArray(c.Warnings.Select(w => (JsonNode)JsonValue.Create(w)).ToArray()),
        };
        return json.ToJsonString(Options) + "\n";
    }

    static JsonObject Run(Probe.Evaluation.Results.RunFolder run) => new() { ["run_id"] = run.Name, ["path"] = run.Path };

    static readonly JsonSerializerOptions Options = new() { WriteIndented = true };
}
