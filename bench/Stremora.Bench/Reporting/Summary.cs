namespace Stremora.Bench.Reporting;

/// <summary>Median and spread of one figure's samples (quartiles by linear interpolation).</summary>
internal sealed record Summary(double Median, double Min, double Max, double Q1, double Q3, IReadOnlyList<double> Samples)
{
    public double Iqr => Q3 - Q1;

    /// <summary>IQR over the median: how much the middle half of the runs disagree.</summary>
    public double RelativeSpread => Median == 0 ? 0 : Iqr / Median;

    public static Summary Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("No samples.", nameof(samples));
        }

        return new Summary(Quantile(sorted, 0.5), sorted[0], sorted[^1], Quantile(sorted, 0.25), Quantile(sorted, 0.75), sorted);
    }

    private static double Quantile(double[] sorted, double q)
    {
        var position = (sorted.Length - 1) * q;
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }
}
