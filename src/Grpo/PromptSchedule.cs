using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>Which prompts an update trains on: every prompt, or the next slice of a seeded cycle through them.</summary>
public static class PromptSchedule
{
    public static IReadOnlyList<string> For(GrpoSettings settings, IReadOnlyList<string> prompts, int update)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(prompts);
        if (settings.PromptsPerUpdate == 0) return prompts;
        using var scope = NewDisposeScope();
        var chosen = new List<string>();
        for (var k = 0; k < settings.PromptsPerUpdate; k++)
        {
            var global = (long)update * settings.PromptsPerUpdate + k;
            var cycle = global / prompts.Count;
            using var g = new Generator((ulong)Seeds.Derive(settings.Seed, cycle, SeedStream.PromptOrder));
            using var order = randperm(prompts.Count, generator: g);
            chosen.Add(prompts[(int)order[global % prompts.Count].item<long>()]);
        }
        return chosen;
    }
}
