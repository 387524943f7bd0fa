namespace Probe.Core.Tokenizers;

/// <summary>
/// A tokenizer file is missing or malformed. The message names the file and the problem, e.g.
/// "tokenizer/merges.txt: line 7 has 3 symbols, a merge needs exactly 2".
/// </summary>
public sealed class TokenizerFormatException : ProbeException
{
    public TokenizerFormatException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        File = file;
        Problem = problem;
    }

    public string File { get; }
    public string Problem { get; }
}
