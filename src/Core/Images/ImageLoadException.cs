namespace Probe.Core.Images;

/// <summary>An image file could not be read or decoded; the message names the file and what is wrong.</summary>
public sealed class ImageLoadException : ProbeException
{
    public ImageLoadException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file that failed.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
