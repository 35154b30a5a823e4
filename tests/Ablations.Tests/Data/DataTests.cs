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
        var folder = TinyRuns.TempFolder("keyed-");
        var texts = Enumerable.Range(0, 30).Select(i => $"document number {i} with some text {Guid.NewGuid():N}\n").ToList();
        for (int i = 0; i < texts.Count; i++) File.WriteAllText(Path.Combine(folder, $"d{i:D2}.txt"), texts[i]);
        DataConfig Config(TokenizerKind tokenizer = TokenizerKind.Byte) => new() { Source = DataSource.Text, Paths = new[] { "*.txt" }, Tokenizer = tokenizer };
        (CorpusInfo Info, string Folder) Prepare(DataConfig config)
        {
            using var data = DataFactory.Prepare(config, 4, folder);
            return (data.Corpus!, Path.Combine(TokenCache.Root, "tokens", data.Corpus!.Key));
        }

        var (a, folderA) = Prepare(Config());
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(folderA, "train.bin"));
        var (b, folderB) = Prepare(Config());
        Assert.Equal(folderA, folderB);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(folderB, "train.bin")));
        Assert.Equal(a, b);
        Assert.Equal((30, TextCut.Files), (a.Documents, a.Cut));   // many files stay whole
        Assert.Contains(a.Split, new HeldOut?[] { HeldOut.Documents, HeldOut.LastDocument });
        Assert.Equal(texts.Sum(t => t.Length), a.TrainTokens + a.ValidationTokens);

        // validation holds whole files, in their order
        using (var store = new MappedTokenStore(Path.Combine(folderA, "val.bin"), 2))
        {
            var buffer = new long[store.Length];
            store.Read(0, buffer);
            var held = new ByteTokenizer().Decode(buffer.Select(x => (int)x));
            Assert.Equal(string.Concat(texts.Where(held.Contains)), held);
            Assert.Equal(a.ValidationDocuments, texts.Count(held.Contains));
        }

        Assert.NotEqual(folderA, Prepare(Config(TokenizerKind.Gpt2)).Folder);
        File.WriteAllText(Path.Combine(folder, "d00.txt"), "changed\n");
        Assert.NotEqual(folderA, Prepare(Config()).Folder);
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
    public void Mqar_scores_only_the_answers_and_answers_match_their_pairs()
    {
        var config = new RecallConfig { Kind = RecallKind.Mqar, Keys = 8, Values = 8, Pairs = 4, Queries = 2, Distance = 16, Sequences = 100 };
        Assert.Equal(16 + 2 * 2, config.SequenceLength);
        var (tokens, scored) = new RecallTask(config).Generate(3, seed: 1);
        for (int s = 0; s < 3; s++)
        {
            var seq = tokens.Skip(s * config.SequenceLength).Take(config.SequenceLength).ToArray();
            var flags = scored.Skip(s * config.SequenceLength).Take(config.SequenceLength).ToArray();
            Assert.Equal(config.Queries, flags.Count(f => f));
            Assert.Equal(config.Pairs, Enumerable.Range(0, config.Pairs).Select(p => seq[2 * p]).Distinct().Count());
            for (int i = 0; i < seq.Length; i++)
            {
                if (!flags[i]) continue;
                var key = seq[i - 1];
                var pair = Enumerable.Range(0, config.Pairs).Single(p => seq[2 * p] == key);
                Assert.Equal(seq[2 * pair + 1], seq[i]);
                Assert.True(i - (2 * pair + 1) >= config.Distance - 2 * config.Pairs + 1);   // the pair is far back
            }
        }
    }

    [Fact]
    public void Copy_repeats_the_segment_at_the_distance_and_scores_each_successor()
    {
        var config = new RecallConfig { Kind = RecallKind.Copy, Keys = 8, Pairs = 4, Distance = 16, Sequences = 100 };
        Assert.Equal(16 + 5, config.SequenceLength);
        var task = new RecallTask(config);
        Assert.Equal(Math.Log(8), task.GuessLoss, 12);
        var (tokens, scored) = task.Generate(3, seed: 1);
        for (int s = 0; s < 3; s++)
        {
            var seq = tokens.Skip(s * config.SequenceLength).Take(config.SequenceLength).ToArray();
            var flags = scored.Skip(s * config.SequenceLength).Take(config.SequenceLength).ToArray();
            var segment = seq.Take(config.Pairs + 1).ToArray();
            Assert.All(segment, k => Assert.InRange(k, 0, config.Keys - 1));
            Assert.Equal(segment.Length, segment.Distinct().Count());                       // a key names one pair
            Assert.Equal(segment, seq.Skip(config.Distance).ToArray());                     // the repeat
            Assert.All(seq.Skip(segment.Length).Take(config.Distance - segment.Length), f => Assert.True(f >= config.Keys));   // filler only
            Assert.Equal(config.Pairs, flags.Count(f => f));
            for (int i = 0; i < seq.Length; i++)
            {
                if (!flags[i]) continue;
                var source = Array.IndexOf(segment, seq[i - 1]) + 1;                       // what followed this key before
                Assert.Equal(seq[source], seq[i]);
                Assert.Equal(config.Distance, i - source);                                  // every answer sits the distance back
            }
        }
    }

    [Theory]
    [InlineData("copy", 8, 8, "pairs")]       // copy's segment needs pairs + 1 distinct keys
    [InlineData("mqar", 4, 16, "distance")]   // mqar's pairs alone need 2 x pairs tokens
    public void Recall_refuses_a_layout_that_does_not_fit(string kind, int pairs, int distance, string key)
    {
        var config = new RecallConfig { Kind = Enum.Parse<RecallKind>(kind, ignoreCase: true), Keys = 8, Pairs = pairs, Queries = 2, Distance = distance - (kind == "mqar" ? 9 : 0) };
        Assert.Contains(config.Validate(), e => e.Key == key);
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
