using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Grpo;
using Probe.Grpo.Diffusion;
using Probe.Runner.Cli;
using Probe.Runner.Config;

namespace Probe.Runner.Attack;

/// <summary>
/// The trainer's <see cref="GrpoConfig"/> from a run config: generation settings shared with evaluation (guidance,
/// size, seed), the reward mode, then every <c>attack.grpo</c> key by its config name (unknown keys and wrong types
/// are errors naming the file and line), validated by the trainer's own rules.
/// </summary>
public static class GrpoConfigBuilder
{
    public static GrpoConfig Build(RunConfig run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Build(run, new GrpoConfig
        {
            GuidanceScale = run.Guidance, Width = run.Width, Height = run.Height, Seed = run.Seed,
            NegativePrompt = run.NegativePrompt,
            RewardMode = RewardModes.Parse(run.Attack.Reward),
        });
    }

    /// <summary>
    /// Any model family's GRPO config: <paramref name="defaults"/> (built from the run's shared settings) with every
    /// <c>attack.grpo</c> key applied by name, then validated.
    /// </summary>
    public static TConfig Build<TConfig>(RunConfig run, TConfig defaults) where TConfig : GrpoSettings
    {
        ArgumentNullException.ThrowIfNull(run);
        var json = JsonSerializer.SerializeToNode(defaults, GrpoJson.Options)!.AsObject();

        foreach (var s in run.Attack.Grpo)
        {
            var path = s.Key.Split('.');
            var target = json;
            for (var i = 0; i < path.Length - 1; i++)
                target = target[path[i]] as JsonObject ?? throw new UserError($"{s.Where}: unknown GRPO setting '{s.Key}'");
            var name = path[^1];
            if (!target.ContainsKey(name))
                throw new UserError($"{s.Where}: unknown GRPO setting '{s.Key}'; known: {string.Join(", ", Keys(json))}");
            target[name] = Value(s, target[name]);
        }

        TConfig config;
        try
        {
            config = json.Deserialize<TConfig>(GrpoJson.Options) ?? throw new UserError("empty GRPO configuration");
        }
        catch (JsonException e)
        {
            throw new UserError($"GRPO setting {e.Path?.TrimStart('$', '.')}: {e.Message}", e);
        }
        try
        {
            config.Validate();
        }
        catch (GrpoConfigException e)
        {
            throw new UserError($"GRPO configuration: {e.Message}", e);
        }
        return config;
    }

    static IEnumerable<string> Keys(JsonObject json, string prefix = "") =>
        json.SelectMany(p => p.Value is JsonObject child ? Keys(child, prefix + p.Key + ".") : [prefix + p.Key]);

    /// <summary>Converts the YAML text to the JSON kind the current value has (number, boolean, string or null).</summary>
    static JsonNode? Value(GrpoSetting s, JsonNode? current)
    {
        var text = s.Value;
        if (text is null or "null" or "~") return null;
        return current?.GetValueKind() switch
        {
            JsonValueKind.Number => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? (text.Contains('.') || text.Contains('e') || text.Contains('E') ? JsonValue.Create(d) : JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)))
                : throw new UserError($"{s.Where}: GRPO setting '{s.Key}' must be a number, got '{text}'"),
            JsonValueKind.True or JsonValueKind.False => text.ToLowerInvariant() is "true" or "yes" ? JsonValue.Create(true)
                : text.ToLowerInvariant() is "false" or "no" ? JsonValue.Create(false)
                : throw new UserError($"{s.Where}: GRPO setting '{s.Key}' must be true or false, got '{text}'"),
            _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && current is null
                ? JsonValue.Create(n) : JsonValue.Create(text),
        };
    }
}
