namespace Probe.Nsfw.Classifier.Nsfwjs;

/// <summary>
/// Where the bundled nsfwjs models are. The library's build copies models/nsfwjs/** next to its assembly, so any program
/// or test that references it finds them at &lt;output&gt;/models/nsfwjs/. A source checkout also works (the folder is
/// searched upwards from the working directory), and PROBE_NSFWJS_MODELS can point elsewhere.
/// </summary>
public static class NsfwjsModelLocator
{
    public const string EnvironmentVariable = "PROBE_NSFWJS_MODELS";

    /// <summary>The folder holding mobilenet_v2/, inception_v3/, … ; throws with the places searched when none is found.</summary>
    public static string FindRoot()
    {
        var searched = new List<string>();
        foreach (var candidate in Candidates())
        {
            searched.Add(candidate);
            if (Directory.Exists(Path.Combine(candidate, NsfwjsModel.MobileNetV2.Name))) return Path.GetFullPath(candidate);
        }
        throw new DirectoryNotFoundException(
            "the bundled nsfwjs models were not found; searched: " + string.Join(", ", searched) +
            $". Set {EnvironmentVariable} to the folder holding mobilenet_v2/, mobilenet_v2_mid/ and inception_v3/.");
    }

    /// <summary>The folder of one model (holding model.json), under <paramref name="root"/> or the located root.</summary>
    public static string FolderOf(NsfwjsModel model, string? root = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var folder = Path.Combine(root ?? FindRoot(), model.Name);
        if (!File.Exists(Path.Combine(folder, "model.json")))
            throw new DirectoryNotFoundException($"{folder}: no model.json for nsfwjs model '{model.Name}'");
        return folder;
    }

    static IEnumerable<string> Candidates()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) yield return env;
        yield return Path.Combine(AppContext.BaseDirectory, "models", "nsfwjs");
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            yield return Path.Combine(dir.FullName, "models", "nsfwjs");
    }
}
