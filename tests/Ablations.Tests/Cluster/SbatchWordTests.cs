using System.Text.Json;
using Ablations.Cluster;
using Ablations.Config;

namespace Ablations.Tests.Cluster;

/// <summary>
/// Words of #SBATCH lines read back as sbatch reads them: by a port of its reader over thousands of generated
/// strings, and by the real sbatch of the one-node cluster, whose job then holds exactly the name, paths and comment
/// it was given. What no line can carry is refused with one line naming the option.
/// </summary>
public class SbatchWordTests
{
    static readonly string[] Known = { "hetjob", "HetJob", "packjob", ":x", "#x", "a b", "'", "\"", "\\", "x\\" };

    [Fact]
    public void Every_encoded_word_reads_back_as_exactly_itself_alone_and_after_an_option()
    {
        foreach (var word in NastyStrings.Many(seed: 21, count: 5000, controls: false).Where(w => w.Length > 0)
                     .Concat(Known))
        {
            var encoded = SbatchWord.Encode(word, "--x", "the value");
            Assert.Equal(new[] { word }, SbatchReader.LineWords(" " + encoded));
            Assert.Equal(new[] { "--comment", word, "--hold" }, SbatchReader.LineWords($" --comment {encoded} --hold"));
            Assert.Equal(new[] { "--comment=" + word }, SbatchReader.LineWords(" --comment=" + encoded));
        }
        Assert.Equal("/shared/results/exp-1.smoke", SbatchWord.Encode("/shared/results/exp-1.smoke", "--x", "v"));
        Assert.Equal("\"a b 'c' \\\"d\\\" \\\\ #e\"", SbatchWord.Encode("a b 'c' \"d\" \\ #e", "--x", "v"));
    }

    [Theory]
    [InlineData("r\ntouch /tmp/x\n#", "--results: the results folder $'r\\ntouch /tmp/x\\n#' holds a newline, which")]
    [InlineData("a\rb", "holds a carriage return")]
    [InlineData("a\tb", "holds a tab")]
    [InlineData("a\u0085b", "holds the control character U+0085")]
    [InlineData("", "--results: the results folder '' is empty")]
    public void A_word_no_line_can_carry_is_refused_in_one_line_naming_the_option(string word, string message)
    {
        var e = Assert.Throws<ConfigException>(() => SbatchWord.Encode(word, "--results", "the results folder"));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>A folder name holding every character quoting must carry (a backslash too: sbatch takes it).</summary>
    const string Nasty = "a b'c\"d #e $f \\g `h` $(touch marker) %A é 日本";

    [Fact]
    public void The_real_sbatch_reads_back_a_job_name_log_path_working_folder_and_comment_exactly()
    {
        SlurmCluster.Require();
        var folder = Directory.CreateDirectory(Path.Combine(TinyRuns.TempFolder("sbatch-words-"), Nasty)).FullName;
        var name = "job " + Nasty;
        var output = Path.Combine(folder, "log " + Nasty + ".out");
        var comment = SbatchArgument.Parse("--comment=a --job-name=evil # 'q' \\ hetjob");
        var held = Submit(folder, "#!/bin/bash",
            "#SBATCH --job-name=" + SbatchWord.Encode(name, "--x", "v"),
            "#SBATCH --output=" + SbatchWord.Encode(output, "--x", "v"),
            "#SBATCH --chdir=" + SbatchWord.Encode(folder, "--x", "v"),
            comment.Directive,
            "true");
        Assert.Equal((name, output, folder, "a --job-name=evil # 'q' \\ hetjob"),
            (held.GetProperty("name").GetString(), held.GetProperty("standard_output").GetString(),
             held.GetProperty("current_working_directory").GetString(), held.GetProperty("comment").GetString()));
        Assert.False(File.Exists(Path.Combine(folder, "marker")));
    }

    [Theory]
    [InlineData("--comment :x", ":x")]
    [InlineData("--comment hetjob", "hetjob")]
    [InlineData("--comment #x y", "#x y")]
    [InlineData("--comment=\"q\" 'r'", "\"q\" 'r'")]
    [InlineData("--comment -5", "-5")]
    public void The_real_sbatch_reads_an_sbatch_arg_as_the_words_it_stands_for(string arg, string comment)
    {
        SlurmCluster.Require();
        var folder = TinyRuns.TempFolder("sbatch-args-");
        var held = Submit(folder, "#!/bin/bash", "#SBATCH --job-name=ablate-words-test",
            "#SBATCH --output=" + folder + "/%j.out", SbatchArgument.Parse(arg).Directive, "true");
        Assert.Equal(("ablate-words-test", comment),
            (held.GetProperty("name").GetString(), held.GetProperty("comment").GetString()));
    }

    /// <summary>
    /// Submits a held job of these script lines with the real sbatch; the controller's record of it (squeue --json),
    /// then cancels it.
    /// </summary>
    static JsonElement Submit(string folder, params string[] lines)
    {
        var script = Path.Combine(folder, "job.sh");
        File.WriteAllText(script, string.Join('\n', lines) + "\n");
        var (code, output) = SlurmCluster.Command("sbatch", "--parsable", "--hold", script);
        Assert.True(code == 0, output);
        var id = int.Parse(output.Trim().Split(';')[0]);
        try
        {
            var (listed, json) = SlurmCluster.Command("squeue", "--json");   // 22.05 lists every job, filter or not
            Assert.True(listed == 0, json);
            using var queue = JsonDocument.Parse(json);
            return queue.RootElement.GetProperty("jobs").EnumerateArray()
                .Single(j => j.GetProperty("job_id").GetInt32() == id).Clone();
        }
        finally { SlurmCluster.Command("scancel", id.ToString()); }
    }
}
