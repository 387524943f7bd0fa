using System.Text;

namespace Probe.Evaluation.Prompts;

/// <summary>
/// Checks a prompt file's bytes before any parser sees them: it must be UTF-8 (a BOM is allowed) without NUL bytes.
/// Decoding with replacement characters would generate a different prompt than the user wrote (é read as U+FFFD),
/// and a NUL would travel into samples.csv and reports; both are one error naming the file, line and column.
/// </summary>
public static class PromptFileText
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void Check(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var bytes = File.ReadAllBytes(file);
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var line = 1;
        var lineStart = start;
        var i = start;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == (byte)'\n') { line++; lineStart = i + 1; i++; continue; }
            if (b == 0) throw new PromptFormatException($"{file}:{line}: a NUL byte at column {Column(bytes, lineStart, i)}; prompt files are text (UTF-8)");
            if (b < 0x80) { i++; continue; }
            var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            try
            {
                if (length == 1 || i + length > bytes.Length) throw new DecoderFallbackException();
                Strict.GetCharCount(bytes, i, length);
            }
            catch (DecoderFallbackException)
            {
                throw new PromptFormatException(
                    $"{file}:{line}: not UTF-8 (byte 0x{b:X2} at column {Column(bytes, lineStart, i)}); save the file as UTF-8 " +
                    "(e.g. iconv -f latin1 -t utf-8), so the prompt generated is the one written");
            }
            i += length;
        }
    }

    /// <summary>1-based column in characters of the valid text before <paramref name="at"/>.</summary>
    static int Column(byte[] bytes, int lineStart, int at) => Encoding.UTF8.GetCharCount(bytes, lineStart, at - lineStart) + 1;
}
