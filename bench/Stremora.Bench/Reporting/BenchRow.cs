namespace Stremora.Bench.Reporting;

/// <summary>One line of the results: a measured figure, the baseline measured beside it in the same run, and the target.</summary>
internal sealed class BenchRow
{
    public required string Id { get; init; }

    public required string Section { get; init; }

    public required string Name { get; init; }

    public required string Unit { get; init; }

    public required Summary Measured { get; init; }

    public string? BaselineName { get; init; }

    public Summary? Baseline { get; init; }

    /// <summary>Median over baseline median (or the figure the target is about, see <see cref="RatioKind"/>).</summary>
    public double? Ratio { get; init; }

    /// <summary>"ratio" (measured / baseline) or "difference" (measured - baseline, in <see cref="Unit"/>).</summary>
    public string RatioKind { get; init; } = "ratio";

    /// <summary>The per-run ratios (or differences) of paired runs, for their spread.</summary>
    public Summary? Paired { get; init; }

    public string? Target { get; init; }

    public bool? Met { get; init; }

    public string? Note { get; init; }

    public static BenchRow Compare(
        string id,
        string section,
        string name,
        string unit,
        IReadOnlyList<double> measured,
        string baselineName,
        IReadOnlyList<double> baseline,
        string target,
        Func<double, bool> meets,
        string? note = null)
    {
        var m = Summary.Of(measured);
        var b = Summary.Of(baseline);
        var ratio = m.Median / b.Median;
        var paired = measured.Count == baseline.Count ? Summary.Of(measured.Zip(baseline, (x, y) => x / y)) : null;
        return new BenchRow
        {
            Id = id,
            Section = section,
            Name = name,
            Unit = unit,
            Measured = m,
            BaselineName = baselineName,
            Baseline = b,
            Ratio = ratio,
            Paired = paired,
            Target = target,
            Met = meets(ratio),
            Note = note,
        };
    }

    public static BenchRow Difference(
        string id,
        string section,
        string name,
        string unit,
        IReadOnlyList<double> measured,
        string baselineName,
        IReadOnlyList<double> baseline,
        string? target,
        Func<double, bool>? meets,
        string? note = null)
    {
        var m = Summary.Of(measured);
        var b = Summary.Of(baseline);
        var difference = m.Median - b.Median;
        var paired = measured.Count == baseline.Count ? Summary.Of(measured.Zip(baseline, (x, y) => x - y)) : null;
        return new BenchRow
        {
            Id = id,
            Section = section,
            Name = name,
            Unit = unit,
            Measured = m,
            BaselineName = baselineName,
            Baseline = b,
            Ratio = difference,
            RatioKind = "difference",
            Paired = paired,
            Target = target,
            Met = meets?.Invoke(difference),
            Note = note,
        };
    }

    public static BenchRow Absolute(
        string id,
        string section,
        string name,
        string unit,
        IReadOnlyList<double> measured,
        string? baselineName,
        IReadOnlyList<double>? baseline,
        string target,
        Func<double, bool> meets,
        string? note = null)
    {
        var m = Summary.Of(measured);
        var b = baseline is null ? null : Summary.Of(baseline);
        return new BenchRow
        {
            Id = id,
            Section = section,
            Name = name,
            Unit = unit,
            Measured = m,
            BaselineName = baselineName,
            Baseline = b,
            Ratio = b is null ? null : m.Median / b.Median,
            Paired = b is not null && measured.Count == baseline!.Count ? Summary.Of(measured.Zip(baseline, (x, y) => x / y)) : null,
            Target = target,
            Met = meets(m.Median),
            Note = note,
        };
    }
}
