using Ablations.Config;
using Ablations.Data;

namespace Ablations.Tests.Data;

public class DataTests
{
    [Fact]
    public void Dotnet_docs_corpus_renders_the_sdk_xml_documentation_to_text()
    {
        var files = DotnetDocsCorpus.Files();
        Assert.Contains(files, f => Path.GetFileName(f) == "System.Runtime.xml");
        var first = DotnetDocsCorpus.Read(files.First(f => Path.GetFileName(f) == "System.Runtime.xml")).Take(200).ToList();
        Assert.NotEmpty(first);
        Assert.All(first, d => Assert.DoesNotContain("<summary>", d.Text));
        Assert.Contains(first, d => d.Text.Split(' ').Length > 5);
    }

    [Fact]
    public void Byte_tokenizer_round_trips_utf8()
    {
        var t = new ByteTokenizer();
        var ids = t.Encode("héllo");
        Assert.Equal(6, ids.Length);
        Assert.Equal("héllo", t.Decode(ids));
    }

    [Fact]
    public void Gpt2_tokenizer_encodes_with_the_gpt2_vocabulary()
    {
        var t = new Gpt2Tokenizer();
        var ids = t.Encode("Hello world");
        Assert.Equal(new[] { 15496, 995 }, ids);
        Assert.Equal("Hello world", t.Decode(ids));
    }

    [Fact]
    public void Token_cache_is_written_once_and_keyed_by_content_and_tokenizer()
    {
        var docs = Enumerable.Range(0, 30).Select(i => new Document($"d{i}", $"document number {i} with some text\n")).ToList();
        var (a, folderA) = TokenCache.GetOrCreate("test", docs, d => d.Id == "d3", new ByteTokenizer());
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(folderA, "train.bin"));
        var (b, folderB) = TokenCache.GetOrCreate("test", docs, d => d.Id == "d3", new ByteTokenizer());
        Assert.Equal(folderA, folderB);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(folderB, "train.bin")));
        Assert.Equal(a, b);
        Assert.Equal(docs[3].Text.Length, a.ValidationTokens);
        Assert.Equal(docs.Sum(d => d.Text.Length) - docs[3].Text.Length, a.TrainTokens);

        var (_, other) = TokenCache.GetOrCreate("test", docs, d => d.Id == "d3", new Gpt2Tokenizer());
        Assert.NotEqual(folderA, other);
        var changed = docs.Select((d, i) => i == 0 ? d with { Text = "changed" } : d).ToList();
        Assert.NotEqual(folderA, TokenCache.GetOrCreate("test", changed, d => d.Id == "d3", new ByteTokenizer()).Folder);

        using var store = new MappedTokenStore(Path.Combine(folderA, "val.bin"), 2);
        var buffer = new long[store.Length];
        store.Read(0, buffer);
        Assert.Equal(docs[3].Text, new ByteTokenizer().Decode(buffer.Select(x => (int)x)));
    }

    [Fact]
    public void Batches_depend_only_on_seed_and_step()
    {
        using var source = new StreamBatches(new ArrayTokenStore(Enumerable.Range(0, 1000).ToArray()), 16, "train");
        var (x1, y1) = source.Sample(1, 5, 0, 4);
        var (x2, y2) = source.Sample(1, 5, 0, 4);
        var (x3, _) = source.Sample(1, 6, 0, 4);
        Assert.Equal(0, (x1 - x2).abs().sum().item<long>() + (y1 - y2).abs().sum().item<long>());
        Assert.NotEqual(0, (x1 - x3).abs().sum().item<long>());
        Assert.True((y1.narrow(1, 0, 15) - x1.narrow(1, 1, 15)).abs().sum().item<long>() == 0);   // targets are inputs shifted by one
    }

    [Fact]
    public void Recall_scores_only_the_answers_and_answers_match_their_pairs()
    {
        var config = new RecallConfig { Keys = 8, Values = 8, Pairs = 4, Queries = 2, Distance = 16, Sequences = 100 };
        var (tokens, scored) = new RecallTask(config).Generate(3, seed: 1);
        for (int s = 0; s < 3; s++)
        {
            var seq = tokens.Skip(s * config.SequenceLength).Take(config.SequenceLength).ToArray();
            var flags = scored.Skip(s * config.SequenceLength).Take(config.SequenceLength).ToArray();
            Assert.Equal(config.Queries, flags.Count(f => f));
            for (int i = 0; i < seq.Length; i++)
            {
                if (!flags[i]) continue;
                var key = seq[i - 1];
                var pair = Enumerable.Range(0, config.Pairs).Single(p => seq[2 * p] == key);
                Assert.Equal(seq[2 * pair + 1], seq[i]);
                Assert.True(i - 2 * pair >= config.Distance - 2 * config.Pairs);   // the pair is far back
            }
        }
    }

    [Fact]
    public void Markov_entropy_rate_matches_the_empirical_loss_of_the_true_model()
    {
        var config = new MarkovConfig { Vocab = 4, Order = 1, Concentration = 0.5, Tokens = 10_000 };
        var source = new MarkovSource(config);
        var sample = source.Sample(200_000, 3);
        // empirical conditional entropy from bigram counts
        var counts = new double[4, 4];
        for (int i = 1; i < sample.Length; i++) counts[sample[i - 1], sample[i]]++;
        double h = 0, total = sample.Length - 1;
        for (int a = 0; a < 4; a++)
        {
            double row = 0;
            for (int b = 0; b < 4; b++) row += counts[a, b];
            for (int b = 0; b < 4; b++)
                if (counts[a, b] > 0) h -= counts[a, b] / total * Math.Log(counts[a, b] / row);
        }
        Assert.Equal(source.EntropyRate, h, 2);
    }

    [Fact]
    public void Missing_text_file_is_a_clear_data_error()
    {
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(
            new DataConfig { Source = DataSource.Text, Paths = new[] { "no-such-file.txt" } }, 32, Path.GetTempPath()));
        Assert.Contains("no-such-file.txt", e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Glob_that_matches_nothing_is_a_clear_data_error()
    {
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(
            new DataConfig { Source = DataSource.Text, Paths = new[] { "nothing-here/*.txt" } }, 32, TinyRuns.TempFolder("glob-")));
        Assert.Contains("matches no file", e.Message);
    }

    [Fact]
    public void Empty_corpus_is_a_clear_data_error()
    {
        var folder = TinyRuns.TempFolder("empty-");
        File.WriteAllText(Path.Combine(folder, "empty.txt"), "");
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(
            new DataConfig { Source = DataSource.Text, Paths = new[] { "empty.txt" } }, 32, folder));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Non_utf8_file_is_a_clear_data_error()
    {
        var folder = TinyRuns.TempFolder("binary-");
        File.WriteAllBytes(Path.Combine(folder, "blob.txt"), new byte[] { 0xff, 0xfe, 0xc3, 0x28 });
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(
            new DataConfig { Source = DataSource.Text, Paths = new[] { "blob.txt" } }, 32, folder));
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void Context_longer_than_the_data_is_a_clear_data_error()
    {
        var folder = TinyRuns.TempFolder("short-");
        File.WriteAllText(Path.Combine(folder, "short.txt"), string.Join("\n\n", Enumerable.Range(0, 2000).Select(i => $"line {i} of a short corpus")));
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(
            new DataConfig { Source = DataSource.Text, Paths = new[] { "short.txt" } }, 100_000, folder));
        Assert.Contains("fewer than one sequence", e.Message);
    }
}
