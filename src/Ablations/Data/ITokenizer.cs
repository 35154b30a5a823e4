namespace Ablations.Data;

/// <summary>Text to token ids and back.</summary>
public interface ITokenizer
{
    string Name { get; }
    int VocabSize { get; }
    int[] Encode(string text);
    string Decode(IEnumerable<int> ids);
    /// <summary>
    /// The bytes of UTF-8 text that a run of tokens stands for, to measure tokens in bytes; when a character's
    /// bytes are split between two runs, each may count it a byte or two off.
    /// </summary>
    long TextBytes(int[] ids);
}
