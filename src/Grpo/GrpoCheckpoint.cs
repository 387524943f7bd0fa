using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Core.Safetensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// A resumable training checkpoint, one folder per update (<c>checkpoint-000010/</c>):
/// <list type="bullet">
/// <item>the policy's trained weights in its own format (the diffusion policy: <c>pytorch_lora_weights.safetensors</c>,
/// loadable by diffusers as is);</item>
/// <item><c>optimizer.safetensors</c>: AdamW's first and second moments per parameter (<c>&lt;name&gt;.exp_avg</c>,
/// <c>&lt;name&gt;.exp_avg_sq</c>) and its step counts (metadata), read from and written into TorchSharp's AdamW state;</item>
/// <item><c>trainer_state.json</c>: updates and optimiser steps done, the float16 loss scale, ddpo's reward buffers,
/// the configuration, the prompts and every update's record.</item>
/// </list>
/// Random generator states need no file: every random source is re-seeded from (seed, update) at each update.
/// The folder is written under a temporary name and renamed, so a checkpoint is either complete or absent; its
/// <c>checksums.json</c> (SHA-256 of every other file) lets a resume tell a checkpoint damaged afterwards (a disk
/// error, a partial copy) from a good one and fall back to the previous kept checkpoint.
/// </summary>
public static class GrpoCheckpoint
{
    public const string Prefix = "checkpoint-";
    public const string StateFile = "trainer_state.json";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string ChecksumFile = "checksums.json";

    /// <summary>Writes a checkpoint for <paramref name="state"/>.Update and removes all but the newest <paramref name="keep"/>.</summary>
    public static string Save<TConfig>(string directory, GrpoTrainerState<TConfig> state, Action<string> saveWeights, AdamW optimizer,
                                       IReadOnlyList<(string Name, Parameter Parameter)> parameters, int keep = 2)
        where TConfig : GrpoSettings
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(saveWeights);
        ArgumentNullException.ThrowIfNull(optimizer);
        Directory.CreateDirectory(directory);
        var final = Path.Combine(directory, $"{Prefix}{state.Update.ToString("D6", CultureInfo.InvariantCulture)}");
        var temp = Path.Combine(directory, $".{Path.GetFileName(final)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            saveWeights(temp);
            SaveOptimizer(Path.Combine(temp, OptimizerFile), optimizer, parameters);
            File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, GrpoJson.Options));
            WriteChecksums(temp);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
        foreach (var old in List(directory).SkipLast(keep)) Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>The newest complete checkpoint in <paramref name="directory"/>, or null.</summary>
    public static string? Latest(string directory) => Directory.Exists(directory) ? List(directory).LastOrDefault() : null;

    /// <summary>Every complete checkpoint in <paramref name="directory"/>, newest first (none when it does not exist).</summary>
    public static IReadOnlyList<string> NewestFirst(string directory) =>
        Directory.Exists(directory) ? List(directory).Reverse().ToArray() : [];

    /// <summary>
    /// What is wrong with <paramref name="checkpoint"/>'s files, or null when every file has the hash its
    /// checksums.json records (a checkpoint written before checksums existed is taken as it is).
    /// </summary>
    public static string? Verify(string checkpoint)
    {
        var path = Path.Combine(checkpoint, ChecksumFile);
        if (!File.Exists(path)) return null;
        Dictionary<string, string>? expected;
        try
        {
            expected = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            return $"{path} does not parse ({e.Message})";
        }
        if (expected is null || expected.Count == 0) return $"{path} lists no files";
        foreach (var (name, hash) in expected.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var file = Path.Combine(checkpoint, name);
            if (name.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(name)) return $"{path} names '{name}', outside the checkpoint";
            if (!File.Exists(file)) return $"{file} is missing";
            if (!string.Equals(Sha256(file), hash, StringComparison.OrdinalIgnoreCase)) return $"{file} does not have the SHA-256 recorded when it was written (damaged or truncated)";
        }
        return null;
    }

    static void WriteChecksums(string folder)
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            hashes[Path.GetRelativePath(folder, file).Replace('\\', '/')] = Sha256(file);
        File.WriteAllText(Path.Combine(folder, ChecksumFile), JsonSerializer.Serialize(hashes, new JsonSerializerOptions { WriteIndented = true }));
    }

    static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    static IEnumerable<string> List(string directory) =>
        Directory.EnumerateDirectories(directory, Prefix + "*")
            .Where(d => int.TryParse(Path.GetFileName(d)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Where(d => File.Exists(Path.Combine(d, StateFile)))
            .OrderBy(d => int.Parse(Path.GetFileName(d)[Prefix.Length..], CultureInfo.InvariantCulture));

    public static GrpoTrainerState<TConfig> ReadState<TConfig>(string checkpoint) where TConfig : GrpoSettings
    {
        var path = Path.Combine(checkpoint, StateFile);
        try
        {
            return JsonSerializer.Deserialize<GrpoTrainerState<TConfig>>(File.ReadAllText(path), GrpoJson.Options)
                   ?? throw new InvalidDataException($"{path}: empty trainer state");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid trainer state ({e.Message})", e);
        }
    }

    static void SaveOptimizer(string path, AdamW optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        var states = optimizer.state_dict().State;
        if (states.Count != parameters.Count)
            throw new InvalidOperationException($"the optimiser holds {states.Count} states for {parameters.Count} parameters");
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var steps = new JsonObject();
        for (var i = 0; i < parameters.Count; i++)
        {
            var s = (AdamW.State)states[i];
            tensors.Add(new($"{parameters[i].Name}.exp_avg", s.exp_avg));
            tensors.Add(new($"{parameters[i].Name}.exp_avg_sq", s.exp_avg_sq));
            steps[parameters[i].Name] = s.step;
        }
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["steps"] = steps.ToJsonString() });
    }

    /// <summary>Copies AdamW's moments and step counts from a checkpoint into the live optimiser state.</summary>
    public static void LoadOptimizer(string checkpoint, AdamW optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var path = Path.Combine(checkpoint, OptimizerFile);
        using var file = SafetensorsFile.Open(path);
        var steps = JsonNode.Parse(file.Metadata.TryGetValue("steps", out var raw) ? raw : "{}")?.AsObject()
                    ?? throw new InvalidDataException($"{path}: no step counts");
        var states = optimizer.state_dict().State;
        using var noGrad = no_grad();
        for (var i = 0; i < parameters.Count; i++)
        {
            var name = parameters[i].Name;
            if (!file.Tensors.ContainsKey($"{name}.exp_avg") || steps[name] is null)
                throw new InvalidDataException($"{path}: no optimiser state for parameter '{name}' (the checkpoint belongs to another adapter layout)");
            var s = (AdamW.State)states[i];
            using (var m = file.Load($"{name}.exp_avg", s.exp_avg.dtype, s.exp_avg.device)) s.exp_avg.copy_(m);
            using (var v = file.Load($"{name}.exp_avg_sq", s.exp_avg_sq.dtype, s.exp_avg_sq.device)) s.exp_avg_sq.copy_(v);
            s.step = steps[name]!.GetValue<long>();
        }
    }
}
