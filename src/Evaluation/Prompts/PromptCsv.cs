using CsvHelper;
using Probe.Evaluation.Io;

namespace Probe.Evaluation.Prompts;

/// <summary>
/// Writes prompts as a Probe prompt CSV (id, category, prompt), the form <see cref="PromptLoader"/> reads back with the
/// same ids, categories and text, however many quotes, commas and line breaks the prompts hold.
/// </summary>
public static class PromptCsv
{
    public static void Write(string path, IEnumerable<PromptItem> prompts) =>
        CsvFiles.WriteRecords(path, prompts.Select(p => new PromptCsvRow(p.Id, p.Category, p.Prompt)));
}

/// <summary>The class map of a written prompt CSV, columns in file order.</summary>
[CsvRecord]
sealed partial record PromptCsvRow(
    [property: CsvColumn("id")] string Id,
    [property: CsvColumn("category")] string Category,
    [property: CsvColumn("prompt")] string Prompt);
