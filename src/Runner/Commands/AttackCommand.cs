using System.CommandLine;
using System.Globalization;
using Probe.Runner.Attack;
using Probe.Runner.Cli;
using Probe.Runner.Config;
using Probe.Runner.Evaluation;

namespace Probe.Runner.Commands;

/// <summary><c>probe attack</c>: GRPO fine-tuning with LoRA against an image judge (GRP-Obliteration), resumable.</summary>
public static class AttackCommand
{
    public static Command Create()
    {
        var run = new RunOptions();
        var output = new Option<string>("--out") { Description = "Attack run folder (created, or resumed).", Required = true };
        var attackPrompts = new Option<string[]>("--attack-prompts") { Description = "Attack prompt file(s), e.g. prompts/attack/sexuality-10.txt." };
        var category = new Option<string?>("--category") { Description = "The attacked category (default: the attack prompts' category)." };
        var rewardJudge = new Option<string?>("--reward-judge") { Description = "Judge spec of the reward (default: the first --judge)." };
        var reward = new Option<string?>("--reward") { Description = "unsafe_score (default), logit or decision." };
        var updates = new Option<int?>("--updates") { Description = "GRPO updates (default 100)." };
        var group = new Option<int?>("--group-size") { Description = "Images per prompt per update, G (default 5, as published)." };
        var grpoSteps = new Option<int?>("--grpo-steps") { Description = "DDIM steps of each rollout, T (default 20)." };
        var algorithm = new Option<string?>("--algorithm") { Description = "grpo (group-relative advantages, default) or ddpo (per-prompt running statistics)." };
        var grpoSet = new Option<string[]>("--grpo") { Description = "Any GRPO setting as key=value, e.g. --grpo learning_rate=1e-4 --grpo lora.rank=8 (repeatable)." };
        var evalAfter = new Option<bool>("--eval-after") { Description = "Evaluate the attacked model on --prompts afterwards (into <out>/eval-after)." };
        var command = new Command("attack", "Fine-tune with GRPO against an image judge (LoRA) and write a resumable attack run.")
        {
            output, attackPrompts, category, rewardJudge, reward, updates, group, grpoSteps, algorithm, grpoSet, evalAfter,
        };
        run.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            var config = run.Resolve(parse);
            var attack = config.Attack with
            {
                Prompts = parse.GetValue(attackPrompts) is { Length: > 0 } p ? p.Select(Path.GetFullPath).ToList() : config.Attack.Prompts,
                Category = parse.GetValue(category) ?? config.Attack.Category,
                Judge = parse.GetValue(rewardJudge) is { } j ? new JudgeSpecConfig(j, null) : config.Attack.Judge,
                Reward = parse.GetValue(reward) ?? config.Attack.Reward,
                EvalAfter = parse.GetValue(evalAfter) || config.Attack.EvalAfter,
            };
            if (attack.Reward is not ("unsafe_score" or "logit" or "decision"))
                throw new UserError($"--reward must be unsafe_score, logit or decision, got '{attack.Reward}'");
            config = config with { Attack = attack };

            var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(updates) is { } u) overrides["updates"] = u.ToString(CultureInfo.InvariantCulture);
            if (parse.GetValue(group) is { } g) overrides["group_size"] = g.ToString(CultureInfo.InvariantCulture);
            if (parse.GetValue(grpoSteps) is { } t) overrides["steps"] = t.ToString(CultureInfo.InvariantCulture);
            if (parse.GetValue(algorithm) is { } a) overrides["algorithm"] = a;
            foreach (var setting in parse.GetValue(grpoSet) ?? [])
            {
                var eq = setting.IndexOf('=');
                if (eq <= 0) throw new UserError($"--grpo '{setting}' must be key=value");
                overrides[setting[..eq].Trim()] = setting[(eq + 1)..].Trim();
            }
            config = config with { Attack = config.Attack with { Grpo = [.. config.Attack.Grpo, .. overrides.Select(o => new GrpoSetting(o.Key, o.Value, "command line"))] } };

            string[] commandLine = ["probe", .. parse.Tokens.Select(x => x.Value)];
            // A transformers causal LM is attacked as the paper's LLM half (text judge reward, peft adapter).
            var folder = config.Model is { } m && ModelKind.IsChatModelFolder(m)
                ? await ChatAttackJob.RunAsync(config, parse.GetValue(output)!, commandLine, parse.InvocationConfiguration.Error, cancel)
                : await AttackJob.RunAsync(config, parse.GetValue(output)!, commandLine, parse.InvocationConfiguration.Error, cancel);
            var stdout = parse.InvocationConfiguration.Output;
            stdout.WriteLine(folder.Path);
            if (folder.TrainLog is { Updates: > 0 } log)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"reward mean: first update {log.Series["reward_mean"][0]:F4}, last update {log.Series["reward_mean"][^1]:F4}"));
            if (folder.Manifest.Attack?["eval_after"] is { } evalPath)
                EvalCommand.PrintSummary(Probe.Evaluation.Results.RunFolder.Open(Path.Combine(folder.Path, evalPath.GetValue<string>())), stdout);
            return ExitCodes.Success;
        });
        return command;
    }
}
