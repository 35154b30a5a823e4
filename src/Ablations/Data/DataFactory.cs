using Ablations.Config;

namespace Ablations.Data;

/// <summary>
/// Turns a data configuration into batches: builds or reads the token cache of a corpus, maps token files, or
/// generates a synthetic task.
/// </summary>
public static class DataFactory
{
    /// <param name="warn">Told when a cached corpus had to be rebuilt, and why, and what reading a corpus noted (lines skipped).</param>
    /// <param name="progress">Told how a long pass over a corpus (hashing, tokenising, checking token files) goes.</param>
    /// <param name="cancel">
    /// Stops the preparation within a document or a chunk of reading (Ctrl-C, SIGTERM), with an
    /// <see cref="OperationCanceledException"/>; nothing half-written stays in the cache, so a second call builds it.
    /// </param>
    public static PreparedData Prepare(DataConfig data, int sequenceLength, string baseDirectory,
        Action<string>? warn = null, Action<DataProgress>? progress = null, CancellationToken cancel = default)
    {
        switch (data.Source)
        {
            case DataSource.Markov:
            {
                var source = new MarkovSource(data.Markov, cancel);
                var validationTokens = Math.Max((long)(data.Markov.Tokens * data.ValidationFraction), sequenceLength + 1);
                return new PreparedData
                {
                    Description = $"markov (vocab {data.Markov.Vocab}, order {data.Markov.Order}, concentration {data.Markov.Concentration})",
                    Train = new StreamBatches(
                        new ArrayTokenStore(source.Sample(data.Markov.Tokens, data.Markov.Seed, cancel)),
                        sequenceLength, "train"),
                    Validation = new StreamBatches(
                        new ArrayTokenStore(source.Sample(validationTokens, data.Markov.Seed + 1, cancel)),
                        sequenceLength, "validation"),
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
                var (trainTokens, trainScored) = task.Generate(data.Recall.Sequences, data.Recall.Seed, cancel);
                var (valTokens, valScored) = task.Generate(validationCount, data.Recall.Seed + 1, cancel);
                return new PreparedData
                {
                    Description = data.Recall.Kind == RecallKind.Copy
                        ? $"recall, copy ({data.Recall.Pairs} pairs asked again at distance {data.Recall.Distance})"
                        : $"recall, mqar ({data.Recall.Pairs} pairs, {data.Recall.Queries} queries at distance {data.Recall.Distance})",
                    Train = new SequenceBatches(trainTokens, trainScored, data.Recall.SequenceLength),
                    Validation = new SequenceBatches(valTokens, valScored, data.Recall.SequenceLength),
                    VocabSize = task.VocabSize,
                    BytesPerToken = 1,
                    TrainTokens = trainTokens.Length,
                    ValidationTokens = valTokens.Length,
                    LossFloor = 0,
                    LossFloorNote = $"answers are determined by the pairs; guessing costs ln({data.Recall.AnswerAlphabet}) = {task.GuessLoss:F3}",
                };
            }
            case DataSource.Tokens:
                return PrepareTokens(data, sequenceLength, baseDirectory, progress, cancel);
            default:
                return PrepareText(data, sequenceLength, baseDirectory, warn, progress, cancel);
        }
    }

    static PreparedData PrepareText(DataConfig data, int sequenceLength, string baseDirectory, Action<string>? warn,
        Action<DataProgress>? progress, CancellationToken cancel)
    {
        var tokenizer = TokenizerFactory.Create(data.Tokenizer);
        var name = data.Source == DataSource.DotnetDocs ? "dotnet-docs" : SnakeCase.Of(data.Source.ToString());
        var files = data.Source switch
        {
            DataSource.DotnetDocs => DotnetDocsCorpus.Files(),
            DataSource.Jsonl => CorpusFiles.Resolve(data.Paths!, baseDirectory, ".jsonl"),
            DataSource.Parquet => CorpusFiles.Resolve(data.Paths!, baseDirectory, ".parquet"),
            _ => CorpusFiles.Resolve(data.Paths!, baseDirectory, ".txt"),
        };
        var settings = $"{name}|{tokenizer.Name}|{data.ValidationFraction:R}|{data.MaxBytes}|split {data.Split}" +
                       (data.Source is DataSource.Jsonl or DataSource.Parquet ? $"|field {data.TextField}" : "") +
                       (data.Source == DataSource.Jsonl ? $"|bad lines {data.BadLines ?? BadLines.Fail}" : "");
        // The entry is found by the files' content on every use (not by sizes and times, which a rewrite can keep).
        var hashing = new ProgressMeter(DataPhase.Hashing, ProgressMeter.SizeOf(files), progress);
        var key = TokenCache.ContentKey(files, settings, hashing, cancel);
        hashing.Finish();
        var (info, folder) = TokenCache.GetOrCreate(key,
            folder => Write(folder, name, data, files, tokenizer, progress, cancel), warn, cancel);
        foreach (var note in info.Notes?.Split('\n') ?? Array.Empty<string>()) warn?.Invoke(note);
        if (info.ValidationTokens == 0 || info.TrainTokens == 0)
            throw new DataException($"the {name} corpus is too small to hold out a validation split ({info.TrainTokens + info.ValidationTokens:N0} tokens)",
                data.MaxBytes > 0 ? "data.max_bytes" : ErrorKey(data));
        var width = TokenCache.Width(info.VocabSize);
        var train = new MappedTokenStore(Path.Combine(folder, CorpusWriter.TrainFile), width);
        var validation = new MappedTokenStore(Path.Combine(folder, CorpusWriter.ValidationFile), width);
        return new PreparedData
        {
            Description = $"{name} ({Documents(info)}, tokenizer {info.Tokenizer}; validation: {Split(info)})",
            Split = Split(info),
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

    /// <summary>Tokenises the corpus into a new cache entry's folder in one pass over its documents.</summary>
    static CorpusInfo Write(string folder, string name, DataConfig data, IReadOnlyList<string> files,
        ITokenizer tokenizer, Action<DataProgress>? progress, CancellationToken cancel)
    {
        var notes = new List<string>();
        var meter = new ProgressMeter(DataPhase.Tokenizing, ProgressMeter.SizeOf(files), progress);
        TextCut? cut = data.Source == DataSource.Text ? TextFilesCorpus.Plan(files, data.MaxBytes, cancel) : null;
        var documents = data.Source switch
        {
            DataSource.DotnetDocs => DotnetDocsCorpus.Documents(meter),
            DataSource.Jsonl => JsonLinesCorpus.Documents(files, data.TextField, data.BadLines ?? BadLines.Fail, meter,
                notes.Add, cancel),
            DataSource.Parquet => ParquetCorpus.Documents(files, data.TextField, meter),
            _ => TextFilesCorpus.Documents(files, cut!.Value, meter, cancel: cancel),
        };
        var info = CorpusWriter.Write(folder, name, Cap(documents, data.MaxBytes), data.ValidationFraction,
            data.Split == DataSplit.Tail, tokenizer, meter, cancel);
        meter.Finish();
        if (info.TrainTokens + info.ValidationTokens == 0) throw new DataException($"the {name} corpus is empty", ErrorKey(data));
        return info with { Cut = cut, Notes = notes.Count > 0 ? string.Join('\n', notes) : null };
    }

    static string ErrorKey(DataConfig data) => data.Source == DataSource.DotnetDocs ? "data.source" : "data.paths";

    static string Documents(CorpusInfo info) => info.Cut switch
    {
        TextCut.Paragraphs => $"{info.Documents:N0} documents of whole paragraphs",
        TextCut.Lines => $"{info.Documents:N0} documents of whole lines (its paragraphs were too few to hold one out)",
        _ => $"{info.Documents:N0} documents",
    };

    /// <summary>How the validation split was made and what each side holds, in words.</summary>
    static string Split(CorpusInfo info)
    {
        var share = 100.0 * info.ValidationTokens / Math.Max(1, info.TrainTokens + info.ValidationTokens);
        var how = info.Split switch
        {
            HeldOut.Tail => $"the last {share:F1}% of the token stream (nanoGPT's split)" + (info.Documents > 1 ? "" : ", as one document cannot be held out whole"),
            HeldOut.LastDocument => "the last document, as the hash chose none",
            HeldOut.Files => "the token files' own val.bin",
            _ => $"{info.ValidationDocuments:N0} whole documents chosen by a hash of their ids",
        };
        return $"{how}; {info.TrainTokens:N0} train and {info.ValidationTokens:N0} validation tokens";
    }

    /// <summary>Token files prepared elsewhere (nanoGPT's train.bin and val.bin): checked once per version of the files, then memory-mapped where they lie.</summary>
    static PreparedData PrepareTokens(DataConfig data, int sequenceLength, string baseDirectory,
        Action<DataProgress>? progress, CancellationToken cancel)
    {
        var (trainPath, validationPath) = TokenFiles.Locate(data.Paths!, baseDirectory);
        var dtype = data.TokenDtype ?? TokenDtype.Uint16;
        var vocab = data.VocabSize!.Value;
        var tokenizer = TokenizerFactory.Of(data);
        // What a check found is remembered by the files' content: a file rewritten with its old size and time is
        // checked again, so an id beyond the vocabulary never reaches the embedding.
        var files = new[] { trainPath, validationPath };
        var hashing = new ProgressMeter(DataPhase.Hashing, ProgressMeter.SizeOf(files), progress);
        var key = TokenCache.ContentKey(files, $"tokens|{dtype}|{vocab}|{tokenizer?.Name}", hashing, cancel);
        hashing.Finish();
        var info = TokenCache.FindChecked(key);
        if (info == null)
        {
            var meter = new ProgressMeter(DataPhase.Checking, ProgressMeter.SizeOf(files), progress);
            // The text behind the validation ids (for bits per byte) is measured; decoding all training ids would take long.
            var (trainTokens, _) = TokenFiles.Check(trainPath, dtype, vocab, measure: null, meter, cancel);
            var (validationTokens, validationBytes) =
                TokenFiles.Check(validationPath, dtype, vocab, tokenizer, meter, cancel);
            meter.Finish();
            info = new CorpusInfo("tokens", tokenizer?.Name ?? "none", vocab, 0, 0, trainTokens, validationTokens, 0, validationBytes, Key: "", Split: HeldOut.Files);
            TokenCache.RememberChecked(key, info);
        }
        var width = TokenFiles.WidthOf(dtype);
        var train = new MappedTokenStore(trainPath, width);
        var validation = new MappedTokenStore(validationPath, width);
        var folder = Path.GetDirectoryName(trainPath) == Path.GetDirectoryName(validationPath) ? Path.GetDirectoryName(trainPath) : $"{trainPath}, {validationPath}";
        return new PreparedData
        {
            Description = $"tokens ({folder}: {SnakeCase.Of(dtype.ToString())} ids below {vocab:N0}, tokenizer {info.Tokenizer}; validation: {Split(info)})",
            Split = Split(info),
            Train = new StreamBatches(train, sequenceLength, "train"),
            Validation = new StreamBatches(validation, sequenceLength, "validation"),
            VocabSize = vocab,
            // Without a tokenizer the text behind the ids is unknown: bits per byte are then bits per token.
            BytesPerToken = tokenizer != null ? (double)info.ValidationBytes / info.ValidationTokens : 1,
            TrainTokens = info.TrainTokens,
            ValidationTokens = info.ValidationTokens,
            Tokenizer = tokenizer,
            Corpus = info,
        };
    }

    /// <summary>The first documents (in their fixed order) while fewer than <paramref name="maxBytes"/> characters are kept (0 = all).</summary>
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
}
