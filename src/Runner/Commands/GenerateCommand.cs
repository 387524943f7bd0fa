using System.CommandLine;
using System.Globalization;
using Probe.Core;
using Probe.Diffusion.Pipelines;
using Probe.Diffusion.Schedulers;
using Probe.Runner.Cli;
using Probe.Runner.Config;

namespace Probe.Runner.Commands;

/// <summary><c>probe generate</c>: text-to-image with any SD 1.x/2.x pipeline; PNGs carry their generation parameters.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = new ModelOptions(modelRequired: true);
        var prompt = new Option<string[]>("--prompt") { Description = "Prompt (repeat for several).", Required = true, AllowMultipleArgumentsPerToken = false };
        var negative = new Option<string?>("--negative-prompt") { Description = "Negative prompt for every image (default: empty)." };
        var steps = new Option<int>("--steps") { Description = "Denoising steps.", DefaultValueFactory = _ => 30 }.InRange(1, 1000);
        var guidance = new Option<double>("--guidance") { Description = "Classifier-free guidance scale (≤ 1 disables guidance).", DefaultValueFactory = _ => 7.5 }.InRange(0.0, 100.0);
        var seed = new Option<long>("--seed") { Description = "Seed of the first image; image i uses seed + i.", DefaultValueFactory = _ => 0 };
        var n = new Option<int>("--n") { Description = "Images per prompt.", DefaultValueFactory = _ => 1 }.InRange(1, 100_000);
        var width = new Option<int?>("--width") { Description = "Width in pixels (default: the model's native size)." }.InRange(8, 16384);
        var height = new Option<int?>("--height") { Description = "Height in pixels (default: the model's native size)." }.InRange(8, 16384);
        var scheduler = new Option<string?>("--scheduler") { Description = $"{string.Join(", ", SchedulerFactory.Names)} (default: the model's own)." };
        var eta = new Option<double>("--eta") { Description = "DDIM eta (0 = deterministic).", DefaultValueFactory = _ => 0 }.InRange(0.0, 1.0);
        var batch = new Option<int>("--batch-size") { Description = "Images denoised together (bounds memory).", DefaultValueFactory = _ => 4 }.InRange(1, 1024);
        var clipSkip = new Option<int>("--clip-skip") { Description = "Use the text encoder layer this many before the last.", DefaultValueFactory = _ => 0 }.InRange(0, 64);
        var output = new Option<string>("--out") { Description = "Folder for the PNG files.", Required = true };
        var lora = new Option<string[]>("--lora") { Description = "LoRA file to apply, optionally path:scale (repeatable; stacked in order; diffusers/peft, kohya or old diffusers layouts)." };

        var command = new Command("generate", "Generate images from prompts (PNG files with prompt, seed and settings in their metadata).")
        {
            prompt, negative, steps, guidance, seed, n, width, height, scheduler, eta, batch, clipSkip, output, lora,
        };
        model.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            var log = parse.InvocationConfiguration.Error;
            var stdout = parse.InvocationConfiguration.Output;
            var config = model.Apply(parse, new RunConfig
            {
                Scheduler = parse.GetValue(scheduler), ClipSkip = parse.GetValue(clipSkip),
                Loras = (parse.GetValue(lora) ?? []).Select(RunOptions.ParseLora).ToList(),
            });
            using var loaded = await PipelineLoading.LoadAsync(config, log, cancel);
            var (pipeline, loraLabel) = (loaded.Pipeline, loaded.LoraLabel);
            pipeline.PromptTruncated += (p, dropped) => log.WriteLine($"warning: prompt cut to {pipeline.Tokenizer.ModelMaxLength} tokens, dropped: \"{dropped}\"");

            var prompts = parse.GetValue(prompt)!;
            var request = new TextToImageRequest
            {
                Prompts = prompts, NegativePrompt = parse.GetValue(negative), ImagesPerPrompt = parse.GetValue(n),
                Steps = parse.GetValue(steps), GuidanceScale = parse.GetValue(guidance), Seed = parse.GetValue(seed),
                Width = parse.GetValue(width), Height = parse.GetValue(height), Eta = parse.GetValue(eta),
                BatchSize = parse.GetValue(batch),
            };
            using var bar = new ConsoleProgress(log, "generate");
            var progress = new SynchronousProgress<DenoisingProgress>(p => bar.Update(p.StepsDone, p.TotalSteps, $"{p.ImagesDone}/{p.TotalImages} images"));
            using var result = pipeline.Generate(request, progress: progress, cancel: cancel);
            bar.Finish($"{request.ImageCount} image(s)");

            var outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            for (var i = 0; i < request.ImageCount; i++)
            {
                var path = Path.Combine(outDir, string.Create(CultureInfo.InvariantCulture, $"{i:D4}-seed{request.SeedOf(i)}.png"));
                result.SavePng(i, path, lora: loraLabel);
                stdout.WriteLine(path);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
