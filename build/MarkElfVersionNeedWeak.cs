// MSBuild inline task (compiled by RoslynCodeTaskFactory): marks one version requirement of an ELF64
// little-endian shared object weak, so the dynamic loader tolerates its absence. See LibTorchSharp.targets.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class MarkElfVersionNeedWeak : Task
{
    [Required] public string File { get; set; }
    [Required] public string VersionName { get; set; }
    /// <summary>auto: only when the system libstdc++ lacks VersionName; true: always; false: never.</summary>
    [Required] public string Mode { get; set; }

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    static readonly string[] LibDirs =
    {
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/lib64", "/usr/lib64", "/lib", "/usr/lib",
    };

    public override bool Execute()
    {
        string mode = (Mode ?? "auto").Trim().ToLowerInvariant();
        if (mode == "false") return true;
        if (mode == "auto")
        {
            string libstdcxx = FindSystemLibStdCxx();
            if (libstdcxx != null && ContainsAscii(System.IO.File.ReadAllBytes(libstdcxx), VersionName + "\0"))
            {
                Log.LogMessage(MessageImportance.Low, "{0} provides {1}; {2} left as it is.", libstdcxx, VersionName, File);
                return true;
            }
        }

        byte[] elf = System.IO.File.ReadAllBytes(File);
        string error;
        int changed = MarkWeak(elf, VersionName, out error);
        if (error != null)
        {
            Log.LogError("{0}: cannot mark {1} weak: {2}", File, VersionName, error);
            return false;
        }
        if (changed == 0)
        {
            Log.LogMessage(MessageImportance.Low, "{0}: {1} already weak or not required.", File, VersionName);
            return true;
        }

        // Replace, never write in place: the output file may be a hard link into the NuGet cache.
        string temp = File + ".glibcxx-tmp";
        System.IO.File.WriteAllBytes(temp, elf);
        System.IO.File.Delete(File); // unlinks only this name when it is a hard link
        System.IO.File.Move(temp, File);
        Log.LogMessage(MessageImportance.Normal, "{0}: marked version requirement {1} weak (system libstdc++ lacks it).", File, VersionName);
        return true;
    }

    static string FindSystemLibStdCxx()
    {
        foreach (string dir in LibDirs)
        {
            string path = Path.Combine(dir, "libstdc++.so.6");
            if (System.IO.File.Exists(path)) return path;
        }
        return null;
    }

    static bool ContainsAscii(byte[] haystack, string needle)
    {
        byte[] n = Encoding.ASCII.GetBytes(needle);
        for (int i = 0; i + n.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < n.Length && haystack[i + j] == n[j]) j++;
            if (j == n.Length) return true;
        }
        return false;
    }

    /// <summary>Sets VER_FLG_WEAK on every Vernaux entry named <paramref name="name"/>; returns how many changed.</summary>
    static int MarkWeak(byte[] b, string name, out string error)
    {
        error = null;
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F') { error = "not an ELF file"; return 0; }
        if (b[4] != 2 || b[5] != 1) { error = "not a 64-bit little-endian ELF file"; return 0; }
        ulong shoff = U64(b, 0x28);
        int shentsize = U16(b, 0x3A), shnum = U16(b, 0x3C);
        if (shoff == 0 || shentsize < 64 || shoff + (ulong)shentsize * (ulong)shnum > (ulong)b.Length) { error = "section headers out of bounds"; return 0; }

        int changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            if (U32(b, sh + 4) != ShtGnuVerneed) continue;
            long off = (long)U64(b, sh + 24), size = (long)U64(b, sh + 32);
            int link = (int)U32(b, sh + 40), count = (int)U32(b, sh + 44);
            if (off < 0 || off + size > b.Length || link >= shnum) { error = ".gnu.version_r out of bounds"; return 0; }
            int strSh = checked((int)shoff + link * shentsize);
            long strOff = (long)U64(b, strSh + 24), strSize = (long)U64(b, strSh + 32);
            if (strOff < 0 || strOff + strSize > b.Length) { error = "version string table out of bounds"; return 0; }

            long vn = off;
            for (int i = 0; i < count; i++)
            {
                if (vn + 16 > off + size) { error = "Verneed entry out of bounds"; return 0; }
                int cnt = U16(b, (int)vn + 2);
                long aux = vn + U32(b, (int)vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    if (aux + 16 > off + size) { error = "Vernaux entry out of bounds"; return 0; }
                    long nameOff = strOff + U32(b, (int)aux + 8);
                    if (CStringEquals(b, nameOff, strOff + strSize, name))
                    {
                        int flags = U16(b, (int)aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            flags |= VerFlgWeak;
                            b[aux + 4] = (byte)flags;
                            b[aux + 5] = (byte)(flags >> 8);
                            changed++;
                        }
                    }
                    uint next = U32(b, (int)aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                uint vnNext = U32(b, (int)vn + 12);
                if (vnNext == 0) break;
                vn += vnNext;
            }
        }
        return changed;
    }

    static bool CStringEquals(byte[] b, long at, long end, string s)
    {
        if (at < 0 || at + s.Length >= end) return false;
        for (int i = 0; i < s.Length; i++) if (b[at + i] != (byte)s[i]) return false;
        return b[at + s.Length] == 0;
    }

    static int U16(byte[] b, int o) => b[o] | (b[o + 1] << 8);
    static uint U32(byte[] b, int o) => (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
    static ulong U64(byte[] b, int o) => U32(b, o) | ((ulong)U32(b, o + 4) << 32);
}
