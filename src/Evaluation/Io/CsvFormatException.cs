using Probe.Core;
namespace Probe.Evaluation.Io;

/// <summary>A CSV file cannot be read: the message names the file, the line and what is wrong.</summary>
public sealed class CsvFormatException(string file, int line, string problem)
    : ProbeException(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
}
