using Ablations.Config;
using Ablations.Data;

namespace Ablations.Tests.Data;

/// <summary>A damaged token cache is noticed before it is trained on, removed and rebuilt, and the user is told.</summary>
public class TokenCacheIntegrityTests
{
    /// <summary>A text corpus of its own (a unique token cache entry) and its data configuration.</summary>
    static DataConfig Corpus()
    {
        var dir = TinyRuns.TempFolder("cache-corpus-");
        var text = string.Join("\n\n", Enumerable.Range(0, 600).Select(i => $"paragraph {i} of {Guid.NewGuid():N}: some words to tokenise"));
        File.WriteAllText(Path.Combine(dir, "corpus.txt"), text);
        return new DataConfig { Source = DataSource.Text, Paths = new[] { Path.Combine(dir, "corpus.txt") } };
    }

    static (CorpusInfo Info, string Folder) Prepare(DataConfig data, List<string> warnings)
    {
        using var prepared = DataFactory.Prepare(data, 16, Repo.Root, warnings.Add);
        return (prepared.Corpus!, Path.Combine(TokenCache.Root, "tokens", prepared.Corpus!.Key));
    }

    public static IEnumerable<object[]> Damages() => new[]
    {
        new object[] { "train.bin", "truncate" }, new object[] { "val.bin", "zeros" }, new object[] { "meta.json", "garbage" }, new object[] { "val.bin", "delete" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_entry_is_rebuilt_saying_so_and_gives_the_original_tokens(string file, string how)
    {
        var data = Corpus();
        var warnings = new List<string>();
        var (original, folder) = Prepare(data, warnings);
        Assert.Empty(warnings);
        var trainBytes = File.ReadAllBytes(Path.Combine(folder, "train.bin"));
        var path = Path.Combine(folder, file);
        switch (how)
        {
            case "truncate": File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)(new FileInfo(path).Length / 2)]); break;
            case "zeros": File.WriteAllBytes(path, new byte[new FileInfo(path).Length]); break;
            case "garbage": File.WriteAllText(path, "{ garbage"); break;
            case "delete": File.Delete(path); break;
        }
        var (rebuilt, _) = Prepare(data, warnings);
        Assert.Contains(warnings, w => w.Contains(folder) && w.Contains("does not match its metadata") && w.Contains("rebuilding"));
        Assert.Equal(original with { }, rebuilt);
        Assert.Equal(trainBytes, File.ReadAllBytes(Path.Combine(folder, "train.bin")));

        warnings.Clear();
        Prepare(data, warnings);   // whole again: used as it is
        Assert.Empty(warnings);
    }
}
