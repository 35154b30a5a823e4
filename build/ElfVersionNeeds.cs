// Reads and edits the version-needs table (.gnu.version_r) of an ELF64 little-endian shared library.
// Written for netstandard2.0 because MSBuild compiles it as an inline task.
// Used at build time to mark one unmet GLIBCXX requirement of TorchSharp's native shim as weak
// (VER_FLG_WEAK), and at run time by `ablate doctor` to report whether that was done.
#nullable enable
using System;
using System.IO;
using System.Text;

namespace Ablations.Native
{
    public static class ElfVersionNeeds
    {
        public const ushort VerFlagWeak = 0x2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Flags of the first version need named <paramref name="version"/>, or null if the file has none.</summary>
        public static ushort? ReadFlags(string path, string version)
        {
            var bytes = File.ReadAllBytes(path);
            var offset = FindFlagsOffset(bytes, version);
            return offset < 0 ? null : BitConverter.ToUInt16(bytes, offset);
        }

        /// <summary>
        /// Marks the need for <paramref name="version"/> weak. Returns true when the file was changed, false when
        /// it already was weak or never asked for that version. Writes through a temporary file and a rename,
        /// so a hard link into a package cache is never written through.
        /// </summary>
        public static bool MarkWeak(string path, string version)
        {
            var bytes = File.ReadAllBytes(path);
            var offset = FindFlagsOffset(bytes, version);
            if (offset < 0) return false;
            var flags = BitConverter.ToUInt16(bytes, offset);
            if ((flags & VerFlagWeak) != 0) return false;
            BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(bytes, offset);
            var tmp = path + ".tmp-weak";
            File.WriteAllBytes(tmp, bytes);
            File.Delete(path);
            File.Move(tmp, path);
            return true;
        }

        /// <summary>True when the shared library at <paramref name="path"/> defines the version string (e.g. GLIBCXX_3.4.32).</summary>
        public static bool Defines(string path, string version)
        {
            var needle = Encoding.ASCII.GetBytes(version + "\0");
            var bytes = File.ReadAllBytes(path);
            for (int i = 0; i + needle.Length <= bytes.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && bytes[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }

        /// <summary>The machine's libstdc++.so.6, as the dynamic loader would find it, or null.</summary>
        public static string? FindSystemLibStdCxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            foreach (var c in candidates)
                if (File.Exists(c)) return c;
            return null;
        }

        static int FindFlagsOffset(byte[] b, string version)
        {
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F') return -1;
            if (b[4] != 2 || b[5] != 1) return -1; // ELF64, little-endian only
            long shoff = BitConverter.ToInt64(b, 0x28);
            int shentsize = BitConverter.ToUInt16(b, 0x3A);
            int shnum = BitConverter.ToUInt16(b, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(b, (int)sh + 4) != ShtGnuVerneed) continue;
                long secOff = BitConverter.ToInt64(b, (int)sh + 0x18);
                int link = (int)BitConverter.ToUInt32(b, (int)sh + 0x28);
                int count = (int)BitConverter.ToUInt32(b, (int)sh + 0x2C);
                long strSh = shoff + (long)link * shentsize;
                long strOff = BitConverter.ToInt64(b, (int)strSh + 0x18);
                long need = secOff;
                for (int n = 0; n < count; n++)
                {
                    int cnt = BitConverter.ToUInt16(b, (int)need + 2);
                    long aux = need + BitConverter.ToUInt32(b, (int)need + 8);
                    for (int a = 0; a < cnt; a++)
                    {
                        int name = (int)BitConverter.ToUInt32(b, (int)aux + 8);
                        if (ReadCString(b, (int)(strOff + name)) == version) return (int)aux + 4;
                        aux += BitConverter.ToUInt32(b, (int)aux + 12);
                    }
                    need += BitConverter.ToUInt32(b, (int)need + 12);
                }
            }
            return -1;
        }

        static string ReadCString(byte[] b, int at)
        {
            int end = at;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, at, end - at);
        }
    }
}

#if !ABLATIONS_LIBRARY
namespace Ablations.Native
{
    /// <summary>MSBuild task: applies the weak-version fix to copies in a build output, never to the NuGet cache.</summary>
    public class WeakenGlibcxxRequirement : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string Directory { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string Version { get; set; } = "";
        public string NuGetPackageRoot { get; set; } = "";

        public override bool Execute()
        {
            var libstdcxx = ElfVersionNeeds.FindSystemLibStdCxx();
            if (libstdcxx == null || ElfVersionNeeds.Defines(libstdcxx, Version)) return true; // nothing to fix here
            if (!System.IO.Directory.Exists(Directory)) return true;
            var root = string.IsNullOrEmpty(NuGetPackageRoot) ? null : Path.GetFullPath(NuGetPackageRoot);
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                var full = Path.GetFullPath(file);
                if (root != null && full.StartsWith(root, StringComparison.Ordinal)) continue;
                if (ElfVersionNeeds.MarkWeak(full, Version))
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"ablations: marked {Version} weak in {full} ({libstdcxx} lacks it)");
            }
            return true;
        }
    }
}
#endif
