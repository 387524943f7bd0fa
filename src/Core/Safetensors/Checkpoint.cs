using System.Text.Json;
using TorchSharp;

namespace Probe.Core.Safetensors;

/// <summary>
/// The weights of one model component: a single safetensors file or a sharded set (<c>*.safetensors.index.json</c>),
/// optionally a <c>variant</c> such as fp16 (<c>diffusion_pytorch_model.fp16.safetensors</c>), named as diffusers
/// names them. Tensors are read lazily by name.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    readonly Dictionary<string, SafetensorsFile> _fileOf;
    readonly List<SafetensorsFile> _files;

    Checkpoint(List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileOf)
    {
        _files = files;
        _fileOf = fileOf;
    }

    /// <summary>Every file the weights came from, for run manifests.</summary>
    public IReadOnlyList<string> Files => _files.Select(f => f.Path).ToArray();

    public IReadOnlyCollection<string> Names => _fileOf.Keys;

    public bool Contains(string name) => _fileOf.ContainsKey(name);

    public SafetensorsTensorInfo Info(string name) => _fileOf[name].Tensors[name];

    public torch.Tensor Load(string name, torch.ScalarType? dtype = null, torch.Device? device = null) =>
        _fileOf.TryGetValue(name, out var file)
            ? file.Load(name, dtype, device)
            : throw new KeyNotFoundException($"{string.Join(", ", Files)}: no tensor named '{name}'");

    /// <summary>Opens one safetensors file.</summary>
    public static Checkpoint OpenFile(string path)
    {
        var file = SafetensorsFile.Open(path);
        return new Checkpoint([file], file.Tensors.Keys.ToDictionary(k => k, _ => file, StringComparer.Ordinal));
    }

    /// <summary>
    /// Opens the weights in a component folder (<c>unet/</c>, <c>vae/</c>, <c>text_encoder/</c>), choosing among the
    /// files present by <see cref="WeightFileNames.Candidates"/>: the variant's file or index (current or legacy
    /// naming) first, then the plain file or index.
    /// </summary>
    public static Checkpoint OpenComponent(string componentDir, string? variant, params string[] weightsNames)
    {
        if (!Directory.Exists(componentDir))
            throw new FileNotFoundException($"{componentDir}: component folder not found");
        var candidates = WeightFileNames.Candidates(variant, weightsNames);

        foreach (var candidate in candidates)
        {
            var path = Path.Combine(componentDir, candidate);
            if (!File.Exists(path)) continue;
            return WeightFileNames.IsIndex(candidate) ? OpenSharded(path) : OpenFile(path);
        }

        var others = Directory.EnumerateFiles(componentDir).Select(Path.GetFileName).OfType<string>()
            .Where(WeightFileNames.IsOtherWeightsFormat).Order(StringComparer.Ordinal).ToArray();
        var hint = others.Length > 0
            ? $" Only weights in other formats ({string.Join(", ", others)}) are there: Probe reads safetensors only, because pickles can run code. " +
              "Convert them once with diffusers (pipe.save_pretrained(dir, safe_serialization=True))."
            : "";
        throw new FileNotFoundException($"{componentDir}: no safetensors weights found (looked for {string.Join(", ", candidates)}).{hint}");
    }

    /// <summary>Opens a sharded checkpoint from its index (<c>{"weight_map": {tensor: shard file}}</c>).</summary>
    public static Checkpoint OpenSharded(string indexPath)
    {
        Dictionary<string, string> weightMap;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath), new JsonDocumentOptions { MaxDepth = 16 });
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(indexPath, null, "index has no 'weight_map' object");
            weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new SafetensorsFormatException(indexPath, entry.Name, "weight_map value must be a shard file name");
                weightMap[entry.Name] = entry.Value.GetString()!;
            }
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(indexPath, null, $"index is not valid JSON ({e.Message})", e);
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var files = new List<SafetensorsFile>();
        var byShard = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        var fileOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (var (tensor, shard) in weightMap)
            {
                if (shard.Contains('/') || shard.Contains('\\') || shard is "." or "..")
                    throw new SafetensorsFormatException(indexPath, tensor, $"shard '{shard}' is not a plain file name beside the index");
                if (!byShard.TryGetValue(shard, out var file))
                {
                    var shardPath = Path.Combine(dir, shard);
                    if (!File.Exists(shardPath))
                        throw new SafetensorsFormatException(indexPath, tensor, $"shard '{shard}' is missing");
                    file = SafetensorsFile.Open(shardPath);
                    byShard[shard] = file;
                    files.Add(file);
                }
                if (!file.Tensors.ContainsKey(tensor))
                    throw new SafetensorsFormatException(file.Path, tensor, $"listed in {Path.GetFileName(indexPath)} but not in the shard");
                fileOf[tensor] = file;
            }
            return new Checkpoint(files, fileOf);
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
