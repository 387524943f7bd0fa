namespace Probe.Runner.Cli;

/// <summary>Files that ship with the program (copied next to it by the build): the demo model and the prompt sets.</summary>
public static class BundledAssets
{
    /// <summary>The tiny SD 2.1-architecture pipeline (random weights) the demo and tests run on.</summary>
    public static string TinyModel => Path.Combine(AppContext.BaseDirectory, "models", "sd21-tiny");

    public static string Prompts => Path.Combine(AppContext.BaseDirectory, "prompts");

    public static string EvalPrompts => Path.Combine(Prompts, "eval");

    public static string AttackPrompts => Path.Combine(Prompts, "attack", "sexuality-10.txt");

    /// <summary>The real CLIP BPE tokenizer (SD 2.x padding), from the tiny pipeline.</summary>
    public static string ClipTokenizer => Path.Combine(TinyModel, "tokenizer");
}
