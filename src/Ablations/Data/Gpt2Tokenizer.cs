using System.Text;
using Microsoft.ML.Tokenizers;

namespace Ablations.Data;

/// <summary>GPT-2's byte-level BPE (vocabulary 50257) from Microsoft.ML.Tokenizers and its GPT-2 data package.</summary>
public sealed class Gpt2Tokenizer : ITokenizer
{
    static readonly Lazy<TiktokenTokenizer> Shared = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    public string Name => "gpt2";
    public int VocabSize => 50257;
    public int[] Encode(string text) => Shared.Value.EncodeToIds(text).ToArray();
    public string Decode(IEnumerable<int> ids) => Shared.Value.Decode(ids) ?? "";
    public long TextBytes(int[] ids) => Encoding.UTF8.GetByteCount(Decode(ids));
}
