using System.Text;
using Ablations.Config;
using Ablations.Data;

namespace Ablations.Tests.Data;

/// <summary>Any UTF-8 file trains: a file without blank lines is cut into documents of lines, or split by its tail.</summary>
public class TextCorpusTests
{
    readonly string _dir = TinyRuns.TempFolder("text-corpus-");

    static DataConfig Text(string path, DataSplit split = DataSplit.Auto, TokenizerKind tokenizer = TokenizerKind.Byte) =>
        new() { Source = DataSource.Text, Paths = new[] { path }, Split = split, Tokenizer = tokenizer };

    static string Read(PreparedData data, string file)
    {
        var path = Path.Combine(TokenCache.Root, "tokens", data.Corpus!.Key, file);
        using var store = new MappedTokenStore(path, 2);
        var ids = new long[store.Length];
        store.Read(0, ids);
        return data.Tokenizer!.Decode(ids.Select(i => (int)i));
    }

    [Fact]
    public void One_sentence_per_line_without_blank_lines_is_cut_into_documents_of_whole_lines()
    {
        var file = TestCorpora.Sentences(_dir, 4000);
        var text = File.ReadAllText(file);
        using var data = DataFactory.Prepare(Text("verses.txt"), 32, _dir);
        var info = data.Corpus!;
        Assert.Equal((TextCut.Lines, HeldOut.Documents), (info.Cut, info.Split));
        Assert.Equal(text.Length, info.TrainTokens + info.ValidationTokens);          // every byte, once
        Assert.InRange(info.Documents, text.Length / 4200, text.Length / 4096 + 1);   // documents of about 4 KB
        Assert.InRange(info.ValidationDocuments, 1, info.Documents / 4);
        Assert.InRange((double)info.ValidationTokens / text.Length, 0.005, 0.2);

        // validation is whole lines of the file, and train is the rest
        var lines = text.Split('\n').ToHashSet();
        var held = Read(data, "val.bin");
        Assert.EndsWith("\n", held);
        Assert.All(held.TrimEnd('\n').Split('\n'), line => Assert.Contains(line, lines));
        Assert.Equal(text.Length, held.Length + Read(data, "train.bin").Length);
        Assert.Contains("documents of whole lines", data.Description);
        Assert.Contains($"{info.TrainTokens:N0} train and {info.ValidationTokens:N0} validation tokens", data.Split);
    }

    [Fact]
    public void The_split_does_not_depend_on_the_folder_the_corpus_lives_in()
    {
        // Documents are chosen by a hash of their ids; an id holding the absolute path would give another split
        // in every folder (and a folder name with a process id made this test's sibling fail one run in thirty).
        var (first, second) = (Path.Combine(_dir, "a"), Path.Combine(_dir, "elsewhere", "b"));
        Directory.CreateDirectory(first);
        Directory.CreateDirectory(second);
        TestCorpora.Sentences(first, 3000);
        TestCorpora.Sentences(second, 3000);
        using var one = DataFactory.Prepare(Text("verses.txt"), 32, first);
        using var two = DataFactory.Prepare(Text("verses.txt"), 32, second);
        Assert.Equal(HeldOut.Documents, one.Corpus!.Split);
        Assert.Equal((one.Corpus.ValidationDocuments, one.ValidationTokens), (two.Corpus!.ValidationDocuments, two.ValidationTokens));
        Assert.Equal(Read(one, "val.bin"), Read(two, "val.bin"));
    }

    [Fact]
    public void Split_tail_holds_out_the_end_of_the_token_stream_as_nanogpt_does()
    {
        var file = TestCorpora.Sentences(_dir, 2000);
        var text = File.ReadAllText(file);
        using var data = DataFactory.Prepare(Text(file, DataSplit.Tail), 32, _dir);
        var n = text.Length;
        var train = (long)Math.Floor(n * 0.95);
        Assert.Equal((HeldOut.Tail, train, n - train), (data.Corpus!.Split, data.TrainTokens, data.ValidationTokens));
        Assert.Equal(text[(int)train..], Read(data, "val.bin"));
        Assert.Equal((train, n - train), (data.Corpus.TrainBytes, data.Corpus.ValidationBytes));
        Assert.Contains("the last 5.0% of the token stream", data.Split);
    }

    [Fact]
    public void Text_without_any_line_feed_holds_out_its_tail()
    {
        File.WriteAllText(Path.Combine(_dir, "one-line.txt"), string.Concat(Enumerable.Repeat("a long line with no end ", 800)));
        using var data = DataFactory.Prepare(Text("one-line.txt"), 32, _dir);
        Assert.Equal((1, HeldOut.Tail, 0), (data.Corpus!.Documents, data.Corpus.Split, data.Corpus.ValidationDocuments));
        Assert.Equal(19_200 - 18_240, data.ValidationTokens);
        Assert.Contains("one document cannot be held out whole", data.Split);
    }

    [Fact]
    public void The_tail_of_gpt2_tokens_is_measured_in_bytes_of_its_text()
    {
        var file = TestCorpora.Sentences(_dir, 1500);
        using var data = DataFactory.Prepare(Text(file, DataSplit.Tail, TokenizerKind.Gpt2), 32, _dir);
        var held = Read(data, "val.bin");
        Assert.Equal(Encoding.UTF8.GetByteCount(held), data.Corpus!.ValidationBytes);
        Assert.Equal(new FileInfo(file).Length, data.Corpus.TrainBytes + data.Corpus.ValidationBytes);
        Assert.Equal((double)data.Corpus.ValidationBytes / data.ValidationTokens, data.BytesPerToken);
    }

    [Fact]
    public void A_few_files_of_paragraphs_stay_documents_of_whole_paragraphs()
    {
        for (int f = 0; f < 3; f++)
            File.WriteAllText(Path.Combine(_dir, $"part{f}.txt"), string.Join("\n\n", Enumerable.Range(0, 400).Select(i => $"paragraph {i} of part {f}: some words")));
        using var data = DataFactory.Prepare(new DataConfig { Source = DataSource.Text, Paths = new[] { "part*.txt" } }, 32, _dir);
        var expected = Enumerable.Range(0, 3).Sum(f => File.ReadAllText(Path.Combine(_dir, $"part{f}.txt")).Length / 4096 + 1);
        Assert.Equal((TextCut.Paragraphs, expected), (data.Corpus!.Cut, data.Corpus.Documents));
        Assert.Contains(data.Corpus.Split, new HeldOut?[] { HeldOut.Documents, HeldOut.LastDocument });   // whole documents, as before
        Assert.InRange(data.Corpus.ValidationDocuments, 1, expected - 1);
    }

    [Fact]
    public void Tokenising_reports_progress_once_and_a_cached_corpus_only_the_hashing_that_finds_it()
    {
        TestCorpora.Sentences(_dir, 3000);
        var reports = new List<DataProgress>();
        using (var data = DataFactory.Prepare(Text("verses.txt"), 32, _dir, progress: reports.Add))
        {
            var done = reports.Where(r => r.Done).ToList();
            Assert.Equal(new[] { DataPhase.Hashing, DataPhase.Tokenizing }, done.Select(r => r.Phase));
            Assert.Equal(data.TrainTokens + data.ValidationTokens, done[1].Tokens);
            Assert.Equal(new FileInfo(Path.Combine(_dir, "verses.txt")).Length, done[1].TextBytes);
            Assert.StartsWith($"tokenised {Ablations.Common.Units.Bytes(done[1].TextBytes)} of text into", done[1].Describe());
        }
        reports.Clear();
        using (DataFactory.Prepare(Text("verses.txt"), 32, _dir, progress: reports.Add))
            Assert.DoesNotContain(reports, r => r.Phase != DataPhase.Hashing);   // found by content, not tokenised
    }
}
