using System.Buffers.Binary;
using System.Diagnostics;
using Probe.Core.Safetensors;
using TorchSharp;

namespace Probe.Tests.Safetensors;

/// <summary>
/// Thousands of malformed files: each is refused with <see cref="SafetensorsFormatException"/> or, when the mutation
/// happens to leave a valid file, loads with exactly the bytes the header points at. Nothing else is thrown, nothing
/// hangs, and managed allocation stays proportional to the file, whatever sizes the header claims.
/// </summary>
public class SafetensorsFuzzTests
{
    const int Files = 2_400;
    const int Seed = 20_250_301;

    /// <summary>
    /// Managed bytes that opening and loading may allocate. Tensor data goes to native memory (and the header check
    /// guarantees it is no more than the file holds); managed memory gets one copy of the header and an object per
    /// entry, so a file that is nothing but tiny entries costs a few times its size. The fixed part covers the
    /// exception and file handle. What must never happen is allocation sized by what the header claims.
    /// </summary>
    static long Allowance(long fileLength) => 8 * fileLength + 64 * 1024;

    static List<byte[]> Seeds(string dir)
    {
        using var scope = torch.NewDisposeScope();
        var seeds = new List<Dictionary<string, torch.Tensor>>
        {
            new()
            {
                ["f64"] = torch.linspace(-1, 1, 6, dtype: torch.float64).reshape(2, 3),
                ["f32"] = torch.arange(12, dtype: torch.float32),
                ["f16"] = torch.ones(3, 2, dtype: torch.float16),
                ["bf16"] = torch.full(4, 1.5f, dtype: torch.bfloat16),
                ["i64"] = torch.tensor(new[] { long.MinValue, 0L, long.MaxValue }),
                ["i32"] = torch.tensor(7),
                ["i16"] = torch.zeros(2, 0, dtype: torch.int16),
                ["i8"] = torch.tensor(new sbyte[] { -128, 127 }),
                ["u8"] = torch.arange(16, dtype: torch.uint8),
                ["bool"] = torch.tensor(new[] { true, false, true }),
            },
            new() { ["weight"] = torch.randn(32, 32, generator: torch.manual_seed(1)) },
            Enumerable.Range(0, 40).ToDictionary(i => $"blocks.{i}.norm.bias", i => torch.full(i % 5, (float)i, dtype: torch.float16)),
            new() { ["mask"] = torch.ones(64, dtype: torch.@bool), ["ids"] = torch.arange(20, dtype: torch.int64) },
        };
        var files = new List<byte[]>();
        for (var i = 0; i < seeds.Count; i++)
        {
            var path = Path.Combine(dir, $"seed{i}.safetensors");
            SafetensorsWriter.Write(path, seeds[i], i == 0 ? new Dictionary<string, string> { ["format"] = "pt", ["seed"] = "0" } : null);
            files.Add(File.ReadAllBytes(path));
        }
        return files;
    }

    enum Outcome { Rejected, Valid }

    /// <summary>Opens <paramref name="path"/> and loads every tensor; the tensors are returned for checking.</summary>
    static (Outcome, SafetensorsFile?, List<torch.Tensor>) OpenAndLoad(string path)
    {
        SafetensorsFile? file = null;
        var loaded = new List<torch.Tensor>();
        try
        {
            file = SafetensorsFile.Open(path);
            foreach (var info in file.Tensors.Values) loaded.Add(file.Load(info));
            return (Outcome.Valid, file, loaded);
        }
        catch (SafetensorsFormatException)
        {
            file?.Dispose();
            foreach (var t in loaded) t.Dispose();
            return (Outcome.Rejected, null, []);
        }
    }

    /// <summary>A file that opened must have given back exactly the bytes its header points at.</summary>
    static string? CheckLoaded(byte[] bytes, SafetensorsFile file, List<torch.Tensor> loaded)
    {
        var dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var infos = file.Tensors.Values.ToList();
        for (var i = 0; i < infos.Count; i++)
        {
            var (info, t) = (infos[i], loaded[i]);
            if (!t.shape.SequenceEqual(info.Shape)) return $"{info.Name}: shape {t.shape} instead of {info.ShapeText}";
            if (t.dtype != SafetensorsDTypes.ToScalarType(info.DType)) return $"{info.Name}: dtype {t.dtype} instead of {info.DType}";
            if (t.numel() > 0 && !t.bytes.SequenceEqual(bytes.AsSpan((int)(dataStart + info.Begin), (int)info.ByteLength)))
                return $"{info.Name}: loaded bytes differ from the file";
        }
        return null;
    }

    [Test]
    public void Every_malformed_file_is_refused_cleanly_or_loads_exactly()
    {
        using var dir = new TempDir("probe-fuzz");
        var seeds = Seeds(dir.Path);
        var path = Path.Combine(dir.Path, "mutant.safetensors");

        // Warm up once so first-use costs (JIT, type loading, pools) are not charged to the first mutants.
        var warmup = new SafetensorsMutator(seeds, Seed + 1);
        for (var i = 0; i < 10 * SafetensorsMutator.Kinds.Length; i++)
        {
            File.WriteAllBytes(path, warmup.Next(i).Bytes);
            var (_, f, ts) = OpenAndLoad(path);
            f?.Dispose();
            ts.ForEach(t => t.Dispose());
        }

        var mutator = new SafetensorsMutator(seeds, Seed);
        var failures = new List<string>();
        var rejectedByKind = SafetensorsMutator.Kinds.ToDictionary(k => k, _ => 0);
        int rejected = 0, valid = 0;
        double worstRatio = 0, worstRatioLarge = 0;
        long worstAllocated = 0, slowestTicks = 0;
        var total = Stopwatch.StartNew();

        // Run off the test thread so a hang fails the test instead of stalling the run.
        var run = Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < Files; i++)
            {
                var (kind, bytes) = mutator.Next(i);
                File.WriteAllBytes(path, bytes);
                var clock = Stopwatch.StartNew();
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    var (outcome, file, loaded) = OpenAndLoad(path);
                    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    slowestTicks = Math.Max(slowestTicks, clock.ElapsedTicks);
                    worstAllocated = Math.Max(worstAllocated, allocated);
                    if (bytes.Length > 0) worstRatio = Math.Max(worstRatio, (double)allocated / bytes.Length);
                    if (bytes.Length >= 64 * 1024) worstRatioLarge = Math.Max(worstRatioLarge, (double)allocated / bytes.Length);
                    if (allocated > Allowance(bytes.Length))
                        failures.Add($"#{i} {kind}: allocated {allocated} bytes for a {bytes.Length}-byte file");
                    if (outcome == Outcome.Rejected)
                    {
                        rejected++;
                        rejectedByKind[kind]++;
                        continue;
                    }
                    valid++;
                    var problem = CheckLoaded(bytes, file!, loaded);
                    if (problem is not null) failures.Add($"#{i} {kind}: valid file loaded wrongly: {problem}");
                    file!.Dispose();
                    loaded.ForEach(t => t.Dispose());
                }
#pragma warning disable CA1031 // the point of the test: any other exception type is a finding, recorded with its mutant
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failures.Add($"#{i} {kind}: {e.GetType().Name}: {e.Message}");
                }
            }
        }, TaskCreationOptions.LongRunning);

        Assert.That(run.Wait(TimeSpan.FromSeconds(60)), Is.True, "fuzzing hung");
        TestContext.Out.WriteLine(
            $"{Files} files in {total.Elapsed.TotalSeconds:F1} s: {rejected} rejected, {valid} valid; slowest file " +
            $"{TimeSpan.FromTicks(slowestTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency).TotalMilliseconds:F0} ms; " +
            $"worst allocation {worstAllocated} bytes; allocation/file-size ratio at worst {worstRatio:F1} over all files " +
            $"(tiny files pay the fixed cost of an exception), {worstRatioLarge:F2} over files of 64 KiB or more");
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
        Assert.That(rejected + valid, Is.EqualTo(Files));
        Assert.That(rejected, Is.GreaterThan(Files * 8 / 10), "most mutants must be malformed, or the fuzzer is not fuzzing");
        Assert.That(rejectedByKind.Where(k => k.Value == 0).Select(k => k.Key), Is.Empty, "every mutation family must produce rejected files");
    }
}
