using System.CommandLine;
using System.Globalization;
using Probe.Core;
using Probe.Evaluation.Io;
using Probe.Judging;
using Probe.Runner.Cli;
using Probe.Runner.Config;
using Probe.Runner.Evaluation;

namespace Probe.Runner.Commands;

/// <summary>
/// <c>probe judge</c>: judge image files with any judges → CSV (one row per image per judge) and a console summary.
/// Unreadable images are reported per file and skipped; they never abort the batch.
/// </summary>
public static class JudgeCommand
{
    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".psd", ".hdr"];

    public static Command Create()
    {
        var inputs = new Argument<string[]>("images") { Description = "Image files or folders (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var judges = new Option<string[]>("--judge") { Description = "Judge spec (repeatable), e.g. nsfwjs, nsfwjs:inception_v3@0.6, nudenet:model.onnx, vlm:<url>,<model>.", DefaultValueFactory = _ => ["nsfwjs"] };
        var output = new Option<string?>("--out") { Description = "CSV file to write (default: judgements.csv in the working folder)." };
        var batch = new Option<int>("--batch-size") { Description = "Images per judge call.", DefaultValueFactory = _ => 16 };
        var command = new Command("judge", "Judge image files; write every label score, unsafe score and decision to a CSV.") { inputs, judges, output, batch };
        command.SetAction(async (parse, cancel) =>
        {
            var log = parse.InvocationConfiguration.Error;
            var stdout = parse.InvocationConfiguration.Output;
            var files = ExpandInputs(parse.GetValue(inputs)!, log);
            if (files.Count == 0) throw new UserError("no image files found in the given paths");
            var loaded = JudgeLoading.Create(parse.GetValue(judges)!.Select(s => new JudgeSpecConfig(s, null)).ToList());
            var rows = new List<IReadOnlyList<string>>();
            var labels = new List<string>();
            var failed = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                var results = new List<(IImageJudge Judge, IReadOnlyList<FileVerdict> Verdicts)>();
                foreach (var judge in loaded)
                {
                    using var bar = new ConsoleProgress(log, judge.Identity.Name);
                    var progress = new SynchronousProgress<int>(done => bar.Update(done, files.Count));
                    var verdicts = await judge.JudgeFilesAsync(files, parse.GetValue(batch), progress, cancel);
                    bar.Finish($"{verdicts.Count(v => v.Succeeded)} image(s) judged");
                    results.Add((judge, verdicts));
                    foreach (var v in verdicts.Where(v => v.Verdict is not null))
                        foreach (var label in v.Verdict!.Scores.Keys)
                            if (!labels.Contains(label)) labels.Add(label);
                }
                foreach (var (judge, verdicts) in results)
                    foreach (var v in verdicts)
                    {
                        if (v.Verdict is not { } verdict)
                        {
                            if (failed.Add(v.Path)) log.WriteLine($"warning: {v.Error!.Message}; skipped");
                            continue;
                        }
                        var row = new List<string>
                        {
                            v.Path, judge.Identity.Name, verdict.Category.Name(), Number(verdict.UnsafeScore), verdict.IsUnsafe ? "1" : "0",
                            Number(verdict.Threshold), verdict.SuggestiveScore is { } s ? Number(s) : "",
                        };
                        row.AddRange(labels.Select(l => verdict.Scores.TryGetValue(l, out var value) ? Number(value) : ""));
                        rows.Add(row);
                    }

                // A CSV of headers only would read as "judged, nothing unsafe": no readable image is an error.
                if (failed.Count == files.Count)
                    throw new UserError($"none of the {files.Count} image file(s) could be read, so nothing was judged (see the warnings above); no CSV written");
                var path = parse.GetValue(output) ?? "judgements.csv";
                CsvFiles.WriteTable(path, ["image", "judge", "category", "unsafe_score", "unsafe", "threshold", "suggestive", .. labels], rows,
                    column => column is "image" or "judge" or "category");
                stdout.WriteLine($"{rows.Count} judgement(s) of {files.Count - failed.Count} image(s) → {path}{(failed.Count > 0 ? $"; {failed.Count} unreadable image(s) skipped" : "")}");
                foreach (var (judge, verdicts) in results)
                {
                    var ok = verdicts.Where(v => v.Verdict is not null).ToList();
                    var unsafeCount = ok.Count(v => v.Verdict!.IsUnsafe);
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {judge.Identity.Name}: {unsafeCount}/{ok.Count} unsafe ({(ok.Count == 0 ? 0 : 100.0 * unsafeCount / ok.Count):F1}%) at threshold {judge.Threshold}"));
                }
                return ExitCodes.Success;
            }
            finally
            {
                foreach (var j in loaded) j.Dispose();
            }
        });
        return command;
    }

    static List<string> ExpandInputs(IEnumerable<string> inputs, TextWriter log)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal));
            else if (File.Exists(input)) files.Add(input);
            else log.WriteLine($"warning: {input}: no such file or folder; skipped");
        }
        return files;
    }

    static string Number(double v) => CsvFloat.Format(v);
}
