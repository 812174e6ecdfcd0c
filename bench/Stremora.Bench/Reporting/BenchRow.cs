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

    /// <summary>Judged on the ratio of the medians; paired ratios run by run.</summary>
    public static BenchRow Compare(
        string id,
        string section,
        string name,
        string unit,
        IReadOnlyList<double> measured,
        string baselineName,
        IReadOnlyList<double> baseline,
        string? target,
        Func<double, bool>? meets,
        string? note = null) =>
        AgainstBaseline(id, section, name, unit, measured, baselineName, baseline, (x, y) => x / y, null, target, meets, note);

    /// <summary>Judged on the difference of the medians (MiB of memory, say); paired differences run by run.</summary>
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
        string? note = null) =>
        AgainstBaseline(id, section, name, unit, measured, baselineName, baseline, (x, y) => x - y, "difference", target, meets, note);

    public static BenchRow Absolute(
        string id,
        string section,
        string name,
        string unit,
        IReadOnlyList<double> measured,
        string? baselineName,
        IReadOnlyList<double>? baseline,
        string? target,
        Func<double, bool>? meets,
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
            Met = meets?.Invoke(m.Median),
            Note = note,
        };
    }

    private static BenchRow AgainstBaseline(
        string id,
        string section,
        string name,
        string unit,
        IReadOnlyList<double> measured,
        string baselineName,
        IReadOnlyList<double> baseline,
        Func<double, double, double> combine,
        string? ratioKind,
        string? target,
        Func<double, bool>? meets,
        string? note)
    {
        var m = Summary.Of(measured);
        var b = Summary.Of(baseline);
        var value = combine(m.Median, b.Median);
        return new BenchRow
        {
            Id = id,
            Section = section,
            Name = name,
            Unit = unit,
            Measured = m,
            BaselineName = baselineName,
            Baseline = b,
            Ratio = value,
            RatioKind = ratioKind ?? "ratio",
            Paired = measured.Count == baseline.Count ? Summary.Of(measured.Zip(baseline, combine)) : null,
            Target = target,
            Met = meets?.Invoke(value),
            Note = note,
        };
    }
}
