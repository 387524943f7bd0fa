using Probe.Core;

namespace Probe.Llm.ChatTemplates;

/// <summary>
/// A chat template that cannot be parsed, uses a construct this interpreter does not support, fails while rendering
/// (Jinja2 would raise too: undefined attribute access, a type error) or calls <c>raise_exception(msg)</c>. The
/// message names the template, the line and column, and what is wrong.
/// </summary>
public sealed class ChatTemplateException : ProbeException
{
    public ChatTemplateException(string templateName, int line, int column, string problem, bool raisedByTemplate = false)
        : base(raisedByTemplate
            ? $"chat template '{templateName}' raised an exception at line {line}, column {column}: {problem}"
            : $"chat template '{templateName}' line {line}, column {column}: {problem}")
    {
        TemplateName = templateName;
        Line = line;
        Column = column;
        Problem = problem;
        RaisedByTemplate = raisedByTemplate;
    }

    public string TemplateName { get; }
    public int Line { get; }
    public int Column { get; }

    /// <summary>What is wrong, without the location (for <c>raise_exception</c>, the template's own message).</summary>
    public string Problem { get; }

    /// <summary>True when the template itself called <c>raise_exception</c> (transformers' TemplateError).</summary>
    public bool RaisedByTemplate { get; }
}

/// <summary>An error inside the interpreter; the façade turns it into a <see cref="ChatTemplateException"/>.</summary>
sealed class JinjaError(string message, int position = -1, bool raised = false) : Exception(message)
{
    /// <summary>Offset in the (newline-normalised) source, or -1 until the innermost node that knows it sets it.</summary>
    public int Position { get; set; } = position;
    public bool Raised { get; } = raised;
}
