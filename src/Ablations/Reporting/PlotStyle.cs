using ScottPlot;

namespace Ablations.Reporting;

/// <summary>
/// Series styles that stay distinguishable in greyscale and for colour-blind readers: the Okabe-Ito palette,
/// and a line pattern and marker shape that change with the colour.
/// </summary>
public static class PlotStyle
{
    static readonly Color[] Palette =
    {
        Color.FromHex("#000000"), Color.FromHex("#E69F00"), Color.FromHex("#0072B2"), Color.FromHex("#009E73"),
        Color.FromHex("#D55E00"), Color.FromHex("#56B4E9"), Color.FromHex("#CC79A7"), Color.FromHex("#7F7F7F"),
    };
    static readonly LinePattern[] Patterns = { LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed };
    static readonly MarkerShape[] Markers =
    {
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp, MarkerShape.OpenDiamond,
    };

    // Past eight series the colours repeat, so the pattern and marker shift to keep every series distinct.
    public static Color ColorOf(int i) => Palette[i % Palette.Length];
    public static LinePattern PatternOf(int i) => Patterns[(i + i / Palette.Length) % Patterns.Length];
    public static MarkerShape MarkerOf(int i) => Markers[(i + 4 * (i / Palette.Length)) % Markers.Length];

    public static Plot New(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title, size: 15);
        plot.XLabel(xLabel, size: 13);
        plot.YLabel(yLabel, size: 13);
        return plot;
    }

    /// <summary>
    /// Ticks for an axis whose data were given as log10 values, labelled in the original units: 1-2-5 steps over
    /// a narrow range, whole decades over a wide one.
    /// </summary>
    public static void LogAxis(IAxis axis, double minLog10, double maxLog10, Func<double, string> format)
    {
        if (!double.IsFinite(minLog10) || !double.IsFinite(maxLog10) || maxLog10 < minLog10) return;
        var steps = maxLog10 - minLog10 > 3 ? new[] { 1.0 } : maxLog10 - minLog10 > 1.2 ? new[] { 1.0, 3.0 } : new[] { 1.0, 2.0, 5.0 };
        var ticks = new List<double>();
        for (var decade = (int)Math.Floor(minLog10) - 1; decade <= (int)Math.Ceiling(maxLog10); decade++)
            foreach (var m in steps)
            {
                var t = decade + Math.Log10(m);
                if (t >= minLog10 - 0.05 && t <= maxLog10 + 0.05) ticks.Add(t);
            }
        axis.SetTicks(ticks.ToArray(), ticks.Select(t => format(Math.Pow(10, t))).ToArray());
    }

    /// <summary>
    /// A series drawn as a line in the i-th style, with markers on about a dozen of its points (so long curves
    /// stay tellable apart without colour), and a legend entry showing both.
    /// </summary>
    public static void AddSeries(Plot plot, double[] xs, double[] ys, int i, string label, float markerSize = 7)
    {
        var color = ColorOf(i);
        var line = plot.Add.Scatter(xs, ys);
        line.Color = color;
        line.LinePattern = PatternOf(i);
        line.LineWidth = 2;
        line.MarkerSize = 0;
        if (xs.Length > 0)
        {
            var every = Math.Max(1, xs.Length / 12);
            var picked = Enumerable.Range(0, xs.Length).Where(k => k % every == 0 || k == xs.Length - 1).ToArray();
            var marks = plot.Add.Scatter(picked.Select(k => xs[k]).ToArray(), picked.Select(k => ys[k]).ToArray());
            marks.Color = color;
            marks.LineWidth = 0;
            marks.MarkerShape = MarkerOf(i);
            marks.MarkerSize = markerSize;
        }
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = label, LineColor = color, LinePattern = PatternOf(i), LineWidth = 2,
            MarkerShape = MarkerOf(i), MarkerSize = markerSize, MarkerColor = color,
        });
    }

    /// <summary>
    /// PNG, and SVG when <paramref name="options"/> ask for it, at their size. Skia's SVG backend cannot draw dash
    /// patterns (it draws them solid and complains on stdout), so the SVG has solid lines and tells series apart
    /// by colour and marker.
    /// </summary>
    public static void Save(Plot plot, string pathWithoutExtension, FigureOptions options, Alignment legend = Alignment.UpperRight)
    {
        var outside = plot.Legend.ManualItems.Count > 5;
        if (outside) plot.ShowLegend(Edge.Right);   // many series: beside the plot, not over it
        else plot.ShowLegend(legend);
        // The title is centred over the data area, which a legend beside it narrows: wrap it to fit the image.
        plot.Axes.Title.Label.Text = Wrap(plot.Axes.Title.Label.Text, options.Width / (outside ? 15 : 10));
        plot.SavePng(pathWithoutExtension + ".png", options.Width, options.Height);
        if (!options.Svg) return;
        foreach (var scatter in plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>()) scatter.LinePattern = LinePattern.Solid;
        foreach (var item in plot.Legend.ManualItems) item.LinePattern = LinePattern.Solid;
        plot.SaveSvg(pathWithoutExtension + ".svg", options.Width, options.Height);
    }

    /// <summary>
    /// <paramref name="text"/> broken at spaces into lines of at most <paramref name="maxChars"/> characters (a longer
    /// word stays whole on its own line).
    /// </summary>
    public static string Wrap(string text, int maxChars)
    {
        if (text.Length <= maxChars || maxChars <= 0) return text;
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > maxChars) { lines.Add(line); line = word; }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        lines.Add(line);
        return string.Join("\n", lines);
    }

    /// <summary>Ticks at powers of two of data given as log2 values.</summary>
    public static void Log2Ticks(IAxis axis, double minLog2, double maxLog2, Func<double, string> format, int stride = 1)
    {
        var ticks = Enumerable.Range((int)Math.Floor(minLog2), (int)(Math.Ceiling(maxLog2) - Math.Floor(minLog2)) + 1)
            .Where(p => p % stride == 0).Select(p => (double)p).ToArray();
        axis.SetTicks(ticks, ticks.Select(p => format(Math.Pow(2, p))).ToArray());
    }
}
