using System.Text;
using Ablations.Config;
using Ablations.Data;

namespace Ablations.Tests.Data;

/// <summary>nanoGPT's train.bin and val.bin: checked once, memory-mapped where they lie, batches read from them.</summary>
public class TokenFilesTests
{
    readonly string _dir = TinyRuns.TempFolder("token-files-");

    static DataConfig Tokens(int vocab, params string[] paths) =>
        new() { Source = DataSource.Tokens, Paths = paths, VocabSize = vocab, Tokenizer = TokenizerKind.None };

    [Fact]
    public void A_nanogpt_folder_trains_from_its_own_files()
    {
        var random = new Random(1);
        var train = Enumerable.Range(0, 5000).Select(_ => random.Next(65)).ToArray();
        var validation = Enumerable.Range(0, 700).Select(_ => random.Next(65)).ToArray();
        TestCorpora.Tokens(_dir, "train.bin", train);
        TestCorpora.Tokens(_dir, "val.bin", validation);
        var reports = new List<DataProgress>();
        using var data = DataFactory.Prepare(Tokens(65, "."), 16, _dir, progress: reports.Add);
        Assert.Equal((5000L, 700L, 65), (data.TrainTokens, data.ValidationTokens, data.VocabSize));
        Assert.Equal((HeldOut.Files, ""), (data.Corpus!.Split, data.Corpus.Key));   // no cache entry: the files are used where they lie
        Assert.Null(data.Tokenizer);
        Assert.Equal(1, data.BytesPerToken);                                         // unknown text: bits per token
        Assert.Equal(5700, Assert.Single(reports, r => r.Done && r.Phase == DataPhase.Checking).Tokens);

        // the first validation sequence is the start of val.bin, its target shifted by one
        var (input, target) = data.Validation.Fixed(1, 1).Single();
        Assert.Equal(validation.Take(16).Select(i => (long)i), input.data<long>().ToArray());
        Assert.Equal(validation.Skip(1).Take(16).Select(i => (long)i), target.data<long>().ToArray());
        input.Dispose();
        target.Dispose();

        reports.Clear();
        using (DataFactory.Prepare(Tokens(65, Path.Combine(_dir, "train.bin"), Path.Combine(_dir, "val.bin")), 16, _dir, progress: reports.Add))
            Assert.DoesNotContain(reports, r => r.Phase != DataPhase.Hashing);   // checked once, remembered by content
    }

    [Fact]
    public void Uint32_ids_hold_vocabularies_beyond_65536()
    {
        TestCorpora.Tokens(_dir, "train.bin", Enumerable.Range(0, 400).Select(i => 99_000 + i), width: 4);
        TestCorpora.Tokens(_dir, "val.bin", Enumerable.Range(0, 100).Select(i => i * 1000), width: 4);
        using var data = DataFactory.Prepare(Tokens(100_000, ".") with { TokenDtype = TokenDtype.Uint32 }, 8, _dir);
        var (input, _) = data.Train.Fixed(1, 1).Single();
        Assert.Equal(Enumerable.Range(99_000, 8).Select(i => (long)i), input.data<long>().ToArray());
        input.Dispose();
    }

    [Fact]
    public void Gpt2_ids_are_measured_in_bytes_of_their_text()
    {
        var gpt2 = new Gpt2Tokenizer();
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => $"Verse {i}: in the beginning — “naïve” words.\n"));
        TestCorpora.Tokens(_dir, "train.bin", gpt2.Encode(text + text));
        TestCorpora.Tokens(_dir, "val.bin", gpt2.Encode(text));
        using var data = DataFactory.Prepare(Tokens(50257, ".") with { Tokenizer = TokenizerKind.Gpt2 }, 16, _dir);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), data.Corpus!.ValidationBytes);
        Assert.Equal((double)Encoding.UTF8.GetByteCount(text) / gpt2.Encode(text).Length, data.BytesPerToken);
        Assert.Equal("gpt2", data.Tokenizer!.Name);
    }

    [Fact]
    public void A_file_of_part_of_an_id_or_with_an_id_beyond_the_vocabulary_fails_naming_it()
    {
        var train = TestCorpora.Tokens(_dir, "train.bin", Enumerable.Range(0, 100));
        var validation = TestCorpora.Tokens(_dir, "val.bin", Enumerable.Range(0, 50));
        File.AppendAllText(validation, "x");
        var odd = Assert.Throws<DataException>(() => DataFactory.Prepare(Tokens(100, "."), 8, _dir));
        Assert.Equal(("data.paths", $"token file '{validation}' has 101 bytes, not a whole number of 2-byte ids (uint16); is data.token_dtype right?"), (odd.Key, odd.Reason));

        TestCorpora.Tokens(_dir, "val.bin", Enumerable.Range(0, 50));
        var beyond = Assert.Throws<DataException>(() => DataFactory.Prepare(Tokens(64, "."), 8, _dir));
        Assert.Equal(("data.vocab_size", $"token file '{train}' holds id 64 at token 64, at or above data.vocab_size = 64 (a wrong vocab_size, or not uint16 ids?)"),
            (beyond.Key, beyond.Reason));
    }

    [Fact]
    public void Paths_name_a_folder_with_both_files_or_the_two_files()
    {
        TestCorpora.Tokens(_dir, "train.bin", Enumerable.Range(0, 100));
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Tokens(100, "."), 8, _dir));
        Assert.Equal(("data.paths[0]", "folder '.' has no val.bin (nanoGPT's layout: train.bin and val.bin)"), (e.Key, e.Reason));
        var file = Assert.Throws<DataException>(() => DataFactory.Prepare(Tokens(100, "train.bin"), 8, _dir));
        Assert.Contains("is a file; name the folder holding train.bin and val.bin", file.Reason);
        TestCorpora.Tokens(_dir, "held-out.bin", Enumerable.Range(0, 30));
        using var data = DataFactory.Prepare(Tokens(100, "train.bin", "held-out.bin"), 8, _dir);
        Assert.Equal((100L, 30L), (data.TrainTokens, data.ValidationTokens));
    }
}
