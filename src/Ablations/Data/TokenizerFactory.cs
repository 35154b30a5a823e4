using Ablations.Config;

namespace Ablations.Data;

public static class TokenizerFactory
{
    public static ITokenizer Create(TokenizerKind kind) => kind switch
    {
        TokenizerKind.Byte => new ByteTokenizer(),
        TokenizerKind.Gpt2 => new Gpt2Tokenizer(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "names no tokenizer"),
    };

    /// <summary>The tokenizer that turns the data's tokens into text, if any: none for synthetic tasks and for token files of tokenizer: none.</summary>
    public static ITokenizer? Of(DataConfig data) =>
        data.IsText || data.Source == DataSource.Tokens && data.Tokenizer != TokenizerKind.None ? Create(data.Tokenizer) : null;
}
