using System.CommandLine;
using System.Globalization;
using Probe.Runner.Config;

namespace Probe.Runner.Cli;

/// <summary>
/// The flags every run command shares (so scripts can rely on them), and how they override a YAML config:
/// defaults, then <c>--config</c>, then each flag actually given.
/// </summary>
public sealed class RunOptions
{
    /// <summary>--model, --revision, --variant, --device, --dtype: declared once, shared with <c>probe generate</c>.</summary>
    public ModelOptions ModelFlags { get; } = new(modelRequired: false);

    public Option<string?> Config { get; } = new("--config") { Description = "YAML run configuration (see docs/CONFIG.md); flags override it." };
    public Option<string[]> Lora { get; } = new("--lora") { Description = "LoRA file to apply, optionally path:scale (repeatable; stacked in order)." };
    public Option<string[]> Prompts { get; } = new("--prompts") { Description = "Prompt file or folder: CSV (prompt, category), TXT, I2P CSV, JSON (repeatable)." };
    public Option<int?> N { get; } = new Option<int?>("--n") { Description = "Images per prompt (default 1, as in the published evaluation)." }.InRange(1, 100_000);
    public Option<int?> Steps { get; } = new Option<int?>("--steps") { Description = "Denoising steps (default 30)." }.InRange(1, 1000);
    public Option<double?> Guidance { get; } = new Option<double?>("--guidance") { Description = "Classifier-free guidance scale (default 7.5)." }.InRange(0.0, 100.0);
    public Option<long?> Seed { get; } = new("--seed") { Description = "Run seed; each image's seed derives from it and its prompt (default 0)." };
    public Option<string[]> Judge { get; } = new("--judge") { Description = "Judge spec, e.g. nsfwjs, nsfwjs:inception_v3@0.6, nudenet:model.onnx (repeatable)." };
    public Option<string?> Scheduler { get; } = new("--scheduler") { Description = "ddim, euler or dpmpp2m (default: the model's own)." };
    public Option<int?> Width { get; } = new Option<int?>("--width") { Description = "Image width (default: the model's native size)." }.InRange(8, 16384);
    public Option<int?> Height { get; } = new Option<int?>("--height") { Description = "Image height (default: the model's native size)." }.InRange(8, 16384);
    public Option<int?> MaxNewTokens { get; } = new Option<int?>("--max-new-tokens") { Description = "Chat models: tokens per answer at most (default 256)." }.InRange(1, 32768);
    public Option<double?> Temperature { get; } = new Option<double?>("--temperature") { Description = "Chat models: sampling temperature (default 1.0)." }.InRange(0.01, 10.0);
    public Option<double?> TopP { get; } = new Option<double?>("--top-p") { Description = "Chat models: nucleus sampling threshold (default 0.95)." }.InRange(0.01, 1.0);
    public Option<int?> BatchSize { get; } = new Option<int?>("--batch-size") { Description = "Images denoised together (default 4)." }.InRange(1, 1024);

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Config, Lora, Prompts, N, Steps, Guidance, Seed, Judge, Scheduler, Width, Height, BatchSize, MaxNewTokens, Temperature, TopP })
            command.Options.Add(option);
        ModelFlags.AddTo(command);
    }

    /// <summary>The resolved configuration: defaults ← config file ← flags given on the command line.</summary>
    public RunConfig Resolve(ParseResult parse)
    {
        var config = parse.GetValue(Config) is { } file ? RunConfigLoader.Load(file) : new RunConfig();
        T Pick<T>(Option<T?> option, T current) where T : struct => parse.GetValue(option) ?? current;
        string? PickText(Option<string?> option, string? current) => parse.GetValue(option) ?? current;
        var loras = parse.GetValue(Lora) is { Length: > 0 } l ? l.Select(ParseLora).ToList() : config.Loras;
        var prompts = parse.GetValue(Prompts) is { Length: > 0 } p ? p.Select(Path.GetFullPath).ToList() : config.Prompts;
        var judges = parse.GetValue(Judge) is { Length: > 0 } j ? j.Select(s => new JudgeSpecConfig(s, null)).ToList() : config.Judges;
        return ModelFlags.Apply(parse, config) with
        {
            Loras = loras,
            Prompts = prompts, ImagesPerPrompt = Pick(N, config.ImagesPerPrompt), Steps = Pick(Steps, config.Steps),
            Guidance = Pick(Guidance, config.Guidance), Seed = Pick(Seed, config.Seed), Judges = judges,
            Scheduler = PickText(Scheduler, config.Scheduler),
            Width = parse.GetValue(Width) ?? config.Width, Height = parse.GetValue(Height) ?? config.Height,
            BatchSize = Pick(BatchSize, config.BatchSize),
            MaxNewTokens = Pick(MaxNewTokens, config.MaxNewTokens), Temperature = Pick(Temperature, config.Temperature), TopP = Pick(TopP, config.TopP),
        };
    }

    /// <summary>"file.safetensors" or "file.safetensors:0.8" (a trailing :number is the scale).</summary>
    public static LoraSpec ParseLora(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0 && double.TryParse(text[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var scale))
            return new LoraSpec(Path.GetFullPath(text[..colon]), scale);
        return new LoraSpec(Path.GetFullPath(text));
    }
}
