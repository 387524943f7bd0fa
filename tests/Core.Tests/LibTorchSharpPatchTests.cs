using System.Buffers.Binary;
using System.Text;
using Probe.Core.Torch;

namespace Probe.Tests;

/// <summary>
/// The build's GLIBCXX fix-up (build/LibTorchSharp.targets): on systems whose libstdc++ lacks GLIBCXX_3.4.32 the
/// libLibTorchSharp.so in the output marks that version requirement weak; the NuGet cache's copy stays untouched.
/// </summary>
public class LibTorchSharpPatchTests
{
    const string Version = "GLIBCXX_3.4.32";

    [Test]
    public void The_output_copy_is_weak_where_the_system_lacks_the_version_and_the_cache_copy_is_not_changed()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.That(File.Exists(output), Is.True, $"{output} missing from the test output");
        var systemHasIt = SystemLibStdCxx.Path is { } lib && Encoding.Latin1.GetString(File.ReadAllBytes(lib)).Contains(Version + "\0", StringComparison.Ordinal);

        var flags = VersionNeedFlags(File.ReadAllBytes(output), Version);
        Assert.That(flags, Is.Not.Null, $"{output} does not require {Version}: the TorchSharp version changed, revisit build/LibTorchSharp.targets");
        Assert.That((flags!.Value & 0x2) != 0, Is.EqualTo(!systemHasIt), systemHasIt ? "left as shipped" : "marked VER_FLG_WEAK");

        var cache = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(cache))
            Assert.That(VersionNeedFlags(File.ReadAllBytes(cache), Version)!.Value & 0x2, Is.EqualTo(0), "the NuGet cache is never written");
    }

    /// <summary>vna_flags of the Vernaux entry named <paramref name="name"/> in an ELF64 LE file's .gnu.version_r; null if absent.</summary>
    static int? VersionNeedFlags(byte[] b, string name)
    {
        var shoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(0x28));
        int entsize = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(0x3A)), count = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(0x3C));
        for (var s = 0; s < count; s++)
        {
            var sh = b.AsSpan(shoff + s * entsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != 0x6ffffffe) continue;
            var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]);
            var strings = b.AsSpan(shoff + (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]) * entsize);
            var strOffset = (int)BinaryPrimitives.ReadUInt64LittleEndian(strings[24..]);
            var needs = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]);
            for (int i = 0, vn = offset; i < needs; i++)
            {
                int aux = vn + (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(vn + 8)), auxCount = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(vn + 2));
                for (var a = 0; a < auxCount; a++)
                {
                    var nameAt = strOffset + (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(aux + 8));
                    var end = Array.IndexOf(b, (byte)0, nameAt);
                    if (Encoding.ASCII.GetString(b, nameAt, end - nameAt) == name) return BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(aux + 4));
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(aux + 12));
                }
                vn += (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(vn + 12));
            }
        }
        return null;
    }
}
