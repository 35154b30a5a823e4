using Ablations.Config;

namespace Ablations.Data;

/// <summary>Turns a data configuration into batches: builds or reads the token cache, or generates a synthetic task.</summary>
public static class DataFactory
{
    /// <param name="warn">Told when a cached corpus had to be rebuilt, and why.</param>
    public static PreparedData Prepare(DataConfig data, int sequenceLength, string baseDirectory, Action<string>? warn = null)
    {
        switch (data.Source)
        {
            case DataSource.Markov:
            {
                var source = new MarkovSource(data.Markov);
                var validationTokens = Math.Max((long)(data.Markov.Tokens * data.ValidationFraction), sequenceLength + 1);
                return new PreparedData
                {
                    Description = $"markov (vocab {data.Markov.Vocab}, order {data.Markov.Order}, concentration {data.Markov.Concentration})",
                    Train = new StreamBatches(new ArrayTokenStore(source.Sample(data.Markov.Tokens, data.Markov.Seed)), sequenceLength, "train"),
                    Validation = new StreamBatches(new ArrayTokenStore(source.Sample(validationTokens, data.Markov.Seed + 1)), sequenceLength, "validation"),
                    VocabSize = data.Markov.Vocab,
                    BytesPerToken = 1,
                    TrainTokens = data.Markov.Tokens,
                    ValidationTokens = validationTokens,
                    LossFloor = source.EntropyRate,
                    LossFloorNote = "entropy rate of the Markov source",
                };
            }
            case DataSource.Recall:
            {
                var task = new RecallTask(data.Recall);
                var validationCount = Math.Max(64, (int)(data.Recall.Sequences * data.ValidationFraction));
                var (trainTokens, trainScored) = task.Generate(data.Recall.Sequences, data.Recall.Seed);
                var (valTokens, valScored) = task.Generate(validationCount, data.Recall.Seed + 1);
                return new PreparedData
                {
                    Description = $"recall ({data.Recall.Pairs} pairs, {data.Recall.Queries} queries at distance {data.Recall.Distance})",
                    Train = new SequenceBatches(trainTokens, trainScored, data.Recall.SequenceLength),
                    Validation = new SequenceBatches(valTokens, valScored, data.Recall.SequenceLength),
                    VocabSize = task.VocabSize,
                    BytesPerToken = 1,
                    TrainTokens = trainTokens.Length,
                    ValidationTokens = valTokens.Length,
                    LossFloor = 0,
                    LossFloorNote = $"answers are determined by the pairs; guessing costs ln({data.Recall.Values}) = {task.GuessLoss:F3}",
                };
            }
            default:
                return PrepareText(data, sequenceLength, baseDirectory, warn);
        }
    }

    static PreparedData PrepareText(DataConfig data, int sequenceLength, string baseDirectory, Action<string>? warn)
    {
        var tokenizer = TokenizerFactory.Create(data.Tokenizer);
        var dotnetDocs = data.Source == DataSource.DotnetDocs;
        var name = dotnetDocs ? "dotnet-docs" : "text";
        var files = dotnetDocs ? DotnetDocsCorpus.Files() : TextFilesCorpus.Files(data.Paths!, baseDirectory);
        var fingerprint = TokenCache.Fingerprint(files, $"{name}|{tokenizer.Name}|{data.ValidationFraction:R}|{data.MaxBytes}");
        CorpusInfo info;
        string folder;
        if (TokenCache.Find(fingerprint, warn) is { } cached) (info, folder) = cached;
        else
        {
            var documents = dotnetDocs ? DotnetDocsCorpus.Documents() : Paragraphs(TextFilesCorpus.Documents(data.Paths!, baseDirectory));
            var kept = Cap(documents, data.MaxBytes).ToList();
            if (kept.Count == 0 || kept.All(d => d.Text.Length == 0))
                throw new DataException($"the {name} corpus is empty", dotnetDocs ? "data.source" : "data.paths");
            (info, folder) = TokenCache.GetOrCreate(name, kept, Split(kept, data.ValidationFraction), tokenizer, warn);
            TokenCache.Remember(fingerprint, info);
        }
        if (info.ValidationTokens == 0 || info.TrainTokens == 0)
            throw new DataException($"the {name} corpus is too small to hold out a validation split ({info.Documents} documents)",
                data.MaxBytes > 0 ? "data.max_bytes" : dotnetDocs ? "data.source" : "data.paths");
        var width = TokenCache.Width(info.VocabSize);
        var train = new MappedTokenStore(Path.Combine(folder, "train.bin"), width);
        var validation = new MappedTokenStore(Path.Combine(folder, "val.bin"), width);
        return new PreparedData
        {
            Description = $"{name} ({info.Documents:N0} documents, tokenizer {info.Tokenizer})",
            Train = new StreamBatches(train, sequenceLength, "train"),
            Validation = new StreamBatches(validation, sequenceLength, "validation"),
            VocabSize = info.VocabSize,
            BytesPerToken = (double)info.ValidationBytes / info.ValidationTokens,
            TrainTokens = info.TrainTokens,
            ValidationTokens = info.ValidationTokens,
            Tokenizer = tokenizer,
            Corpus = info,
        };
    }

    /// <summary>
    /// Documents go to validation by a stable hash of their id, so the split never depends on order or run.
    /// At least one document is held out; when every document would be, the split is refused.
    /// </summary>
    static Func<Document, bool> Split(IReadOnlyList<Document> documents, double fraction)
    {
        var threshold = (ulong)(fraction * ulong.MaxValue);
        bool ByHash(Document d) => Fnv1a(d.Id) < threshold;
        if (documents.Any(ByHash)) return ByHash;
        var last = documents[^1].Id;
        return d => d.Id == last;
    }

    static ulong Fnv1a(string s)
    {
        ulong h = 14695981039346656037;
        foreach (var c in s) { h ^= c; h *= 1099511628211; }
        // final avalanche so that similar ids spread over the whole range
        h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33;
        return h;
    }

    static IEnumerable<Document> Cap(IEnumerable<Document> documents, long maxBytes)
    {
        long total = 0;
        foreach (var d in documents)
        {
            if (maxBytes > 0 && total >= maxBytes) yield break;
            total += d.Text.Length;
            yield return d;
        }
    }

    /// <summary>
    /// A handful of files cannot be split by file, so each file is cut into documents of whole paragraphs
    /// (about 4 KB each); many files stay whole.
    /// </summary>
    static IEnumerable<Document> Paragraphs(IEnumerable<Document> files)
    {
        var list = files.ToList();
        if (list.Count >= 20) return list;
        return list.SelectMany(f => Chunk(f, 4096));
    }

    static IEnumerable<Document> Chunk(Document file, int size)
    {
        var paragraphs = file.Text.Split("\n\n");
        var current = new System.Text.StringBuilder();
        int part = 0;
        foreach (var p in paragraphs)
        {
            if (current.Length > 0) current.Append("\n\n");
            current.Append(p);
            if (current.Length >= size)
            {
                yield return new Document($"{file.Id}#{part++}", current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0) yield return new Document($"{file.Id}#{part}", current.ToString());
    }
}
