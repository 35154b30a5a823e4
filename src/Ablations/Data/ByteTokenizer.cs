using System.Text;

namespace Ablations.Data;

/// <summary>UTF-8 bytes as tokens: vocabulary 256, one token per byte, nothing to learn or download.</summary>
public sealed class ByteTokenizer : ITokenizer
{
    public string Name => "byte";
    public int VocabSize => 256;
    public int[] Encode(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();
    public string Decode(IEnumerable<int> ids) => Encoding.UTF8.GetString(ids.Select(i => (byte)Math.Clamp(i, 0, 255)).ToArray());
    public long TextBytes(int[] ids) => ids.Length;
}
