namespace Ablations.Data;

/// <summary>Text to token ids and back.</summary>
public interface ITokenizer
{
    string Name { get; }
    int VocabSize { get; }
    int[] Encode(string text);
    string Decode(IEnumerable<int> ids);
}
