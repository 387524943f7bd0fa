using Probe.Core;

namespace Probe.Evaluation.Io;

/// <summary>
/// Paths named inside a run folder (samples.csv's image column) and paths Probe writes into one. A run folder is
/// untrusted input: it may come from another machine, a shared drive or an archive, and its CSV or its links may have
/// been edited. A path read from it must stay inside it, and a path written must stay inside the folder being written,
/// after every symbolic link on the way has been followed; otherwise a merge or a report would copy a private file out
/// of the machine, or overwrite one outside --out.
/// </summary>
public static class RunPaths
{
    /// <summary>The kernel's limit (Linux MAXSYMLINKS): more links than this in one path is a loop.</summary>
    const int MaxLinks = 40;

    /// <summary>What is wrong with <paramref name="relative"/> as a path inside a run folder, or null when it is one.</summary>
    public static string? Problem(string relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        if (relative.Length == 0) return "is empty";
        if (relative.Contains('\0', StringComparison.Ordinal)) return "holds a NUL character";
        // ':' covers drive letters (C:) and URLs (file://) on every OS, which Path.IsPathRooted on Linux does not.
        if (Path.IsPathRooted(relative) || relative[0] is '/' or '\\' || relative.Contains(':', StringComparison.Ordinal))
            return "is absolute; it must be relative to the run folder";
        // '\' separates on Windows, so it counts as a separator here too: a folder written there reads the same here.
        if (relative.Split('/', '\\').Any(part => part == ".."))
            return "leaves the run folder ('..')";
        return null;
    }

    /// <summary>
    /// The full path of <paramref name="relative"/> ('/'-separated) inside <paramref name="root"/>, for reading from or
    /// writing to it. Throws when the path is absolute, climbs out with "..", or goes through a symbolic link (any
    /// component, the last included, dangling or not) whose target is outside <paramref name="root"/>.
    /// </summary>
    /// <param name="what">Where the path comes from, for the message, e.g. "runs/a/samples.csv:7: image".</param>
    /// <exception cref="RunPathException">The path leaves the folder.</exception>
    public static string Inside(string root, string relative, string what)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(what);
        if (Problem(relative) is { } problem) throw new RunPathException($"{what}: path '{relative}' {problem}");
        var full = Path.GetFullPath(Path.Join(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        var realRoot = Real(root, what);
        var real = Real(full, what);
        if (!IsWithin(realRoot, real))
            throw new RunPathException($"{what}: path '{relative}' goes through a symbolic link to {real}, outside {realRoot}");
        return full;
    }

    /// <summary>
    /// <paramref name="path"/> with every symbolic link in it followed, as the kernel would (a ".." after a link climbs
    /// from the link's target); components that do not exist are kept as written.
    /// </summary>
    public static string Real(string path, string what = "path")
    {
        ArgumentNullException.ThrowIfNull(path);
        var absolute = Path.IsPathRooted(path) ? path : Path.Join(Directory.GetCurrentDirectory(), path);
        var top = Path.GetPathRoot(absolute)!;
        var pending = new Stack<string>();
        Push(pending, absolute[top.Length..]);
        var current = top;
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Join(current, part);
            // LinkTarget reads the link itself (lstat/readlink): it sees dangling links and links to folders alike.
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new RunPathException($"{what}: {path} holds more than {MaxLinks} symbolic links (a loop?)");
            if (Path.IsPathRooted(target))
            {
                var targetTop = Path.GetPathRoot(target)!;
                current = targetTop;
                Push(pending, target[targetTop.Length..]);
            }
            else Push(pending, target);
        }
        return current;
    }

    static void Push(Stack<string> pending, string path)
    {
        var parts = path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        for (var i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }

    static bool IsWithin(string root, string path)
    {
        var trimmed = root.Length > 1 ? root.TrimEnd(Path.DirectorySeparatorChar) : root;
        return path == trimmed || path.StartsWith(trimmed.EndsWith(Path.DirectorySeparatorChar) ? trimmed : trimmed + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}

/// <summary>A path in or into a run folder leaves it; the message names the file, the row and the path.</summary>
public sealed class RunPathException(string message) : ProbeException(message);
