using Ablations.Common;
using Ablations.Config;
using Ablations.Experiments;

namespace Ablations.Tests.Experiments;

/// <summary>
/// Every folder derived from user input passes one rule and stays under the results root: a property over many
/// generated path-like strings, used as sweep values, variant and scale names.
/// </summary>
public class FolderNameTests
{
    /// <summary>Path-like strings: separators, dots, tildes, control characters, quotes, long runs, non-ASCII.</summary>
    static IEnumerable<string> Generated(int count, int seed)
    {
        var random = new Random(seed);
        string[] pieces = { "..", ".", "/", "\\", "~", "a", "Z", "0", "1e-3", "-", "_", "=", ",", "+", " ", "\n", "\t", "\0", "'", "\"", "$", "`",
            "*", "?", "%", "@", "!", "#", ":", "é", "日本", "\u202e", "\r", new string('x', 120) };
        for (int i = 0; i < count; i++)
        {
            var n = random.Next(1, 7);
            yield return string.Concat(Enumerable.Range(0, n).Select(_ => pieces[random.Next(pieces.Length)]));
        }
    }

    [Fact]
    public void Every_generated_name_either_fails_the_rule_or_is_one_plain_segment()
    {
        foreach (var name in Generated(5000, 1))
        {
            if (FolderName.Problem(name) != null) continue;
            Assert.DoesNotContain('/', name);
            Assert.DoesNotContain('\\', name);
            Assert.False(name.StartsWith('.'), name);
            Assert.DoesNotContain(name, c => char.IsControl(c) || char.IsWhiteSpace(c));
            var root = Path.GetFullPath("/tmp/root");
            var full = Path.GetFullPath(Path.Combine(root, name));
            Assert.Equal(root, Path.GetDirectoryName(full));
        }
    }

    [Fact]
    public void Every_run_folder_of_an_experiment_swept_over_generated_values_stays_under_the_results()
    {
        var dir = TinyRuns.TempFolder("folder-prop-");
        var results = Path.Combine(dir, "results");
        int loaded = 0, refused = 0;
        foreach (var value in Generated(150, 2))
        {
            var quoted = "\"" + string.Concat(value.Select(c => c switch
            {
                '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\t' => "\\t", '\r' => "\\r", '\0' => "\\0",
                _ when char.IsControl(c) || c == '\u202e' => $"\\u{(int)c:x4}", _ => c.ToString(),
            })) + "\"";
            // A string key, so every value that passes the folder-name rule also binds and the run folders exist.
            var yaml = TinyExperiment.Yaml
                .Replace("source: markov\n    markov: { vocab: 8, order: 1, tokens: 20000 }", "source: jsonl\n    paths: [corpus.jsonl]")
                .Replace("baseline: pre", $"baseline: pre\nsweep:\n  data.field: [{quoted}]");
            var file = TinyExperiment.Write(dir, yaml);
            ExperimentSpec spec;
            try { spec = ExperimentLoader.Load(file); }
            catch (ConfigException) { refused++; continue; }
            loaded++;
            var runner = new ExperimentRunner(spec, "smoke", results, new QuietObserver());
            foreach (var run in spec.Expand("smoke"))
            {
                var path = runner.RunPath(run);
                Assert.StartsWith(Path.GetFullPath(results) + Path.DirectorySeparatorChar, ContainedPath.Real(path));
            }
        }
        Assert.True(refused > 0 && loaded > 10 && loaded + refused == 150, $"{loaded} loaded, {refused} refused");
    }

    [Fact]
    public void A_path_through_a_link_out_of_the_root_is_refused()
    {
        var dir = TinyRuns.TempFolder("contained-");
        var root = Directory.CreateDirectory(Path.Combine(dir, "root")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(dir, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(root, "link"), outside);
        Assert.Throws<ConfigException>(() => ContainedPath.Under(root, Path.Combine("link", "run"), "the run folder"));
        Assert.Throws<ConfigException>(() => ContainedPath.Under(root, Path.Combine("..", "outside"), "the run folder"));
        Assert.Equal(Path.Combine(root, "a", "b"), ContainedPath.Under(root, Path.Combine("a", "b"), "the run folder"));
        // A root that is itself a link is followed: what counts is where the folder given really is.
        var rootLink = Path.Combine(dir, "root-link");
        Directory.CreateSymbolicLink(rootLink, root);
        Assert.Equal(Path.Combine(rootLink, "a"), ContainedPath.Under(rootLink, "a", "the run folder"));
    }
}
