using Ablations.Config;

namespace Ablations.Data;

public static class TokenizerFactory
{
    public static ITokenizer Create(TokenizerKind kind) => kind switch
    {
        TokenizerKind.Byte => new ByteTokenizer(),
        TokenizerKind.Gpt2 => new Gpt2Tokenizer(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
