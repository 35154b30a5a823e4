namespace Ablations.Cluster;

/// <summary>Array task indices written as sbatch --array reads them: ascending, runs of consecutive ones as ranges ("0-3,5,7-9").</summary>
public static class ArrayIndices
{
    public static string Format(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToList();
        if (sorted.Count == 0) throw new ArgumentException("an array needs at least one task", nameof(indices));
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(',', parts);
    }
}
