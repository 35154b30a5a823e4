using Ablations.Training;

namespace Ablations.Tests.Training;

public class MetricsFileTests
{
    [Fact]
    public void Torn_last_line_of_a_killed_process_is_dropped()
    {
        var folder = TinyRuns.TempFolder("metrics-");
        var path = Path.Combine(folder, "metrics.csv");
        using (var file = MetricsFile.OpenAfter(path, 0))
        {
            file.Write(new MetricsRow { Step = 1, TrainLoss = 2.5, GradNorm = 1, Lr = 0.1, TokensPerSecond = 10, WallSeconds = 1 });
            file.Write(new MetricsRow { Step = 2, TrainLoss = 2.4, GradNorm = 1, Lr = 0.1, TokensPerSecond = 10, WallSeconds = 2, ValLoss = 2.6 });
        }
        File.AppendAllText(path, "3,6144,0.1,2.3");           // cut off mid-row
        var rows = MetricsFile.Read(path);
        Assert.Equal(new[] { 1, 2 }, rows.Select(r => r.Step));
        Assert.Equal(2.6, rows[1].ValLoss);
        Assert.Null(rows[0].ValLoss);
    }

    [Fact]
    public void Opening_after_a_step_keeps_only_rows_up_to_it()
    {
        var folder = TinyRuns.TempFolder("metrics-");
        var path = Path.Combine(folder, "metrics.csv");
        using (var file = MetricsFile.OpenAfter(path, 0))
            for (int s = 1; s <= 5; s++) file.Write(new MetricsRow { Step = s, TrainLoss = s });
        using (var file = MetricsFile.OpenAfter(path, 3))
            file.Write(new MetricsRow { Step = 4, TrainLoss = 40 });
        Assert.Equal(new[] { 1.0, 2, 3, 40 }, MetricsFile.Read(path).Select(r => r.TrainLoss));
    }
}
