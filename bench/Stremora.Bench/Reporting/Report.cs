using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stremora.Bench.Reporting;

/// <summary>The results of one bench run: a Markdown table for people, a JSON file for machines.</summary>
internal sealed class Report
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public List<BenchRow> Rows { get; } = [];

    public List<string> Notes { get; } = [];

    public Dictionary<string, string> Machine { get; } = new(StringComparer.Ordinal);

    public void Add(BenchRow row)
    {
        Rows.Add(row);
        Console.WriteLine($"  {row.Name}: {Format(row.Measured.Median, row.Unit)} {row.Unit}" +
                          (row.Ratio is { } r ? $", {RatioText(row, r)} vs {row.BaselineName}" : "") +
                          (row.Met is { } met ? (met ? " (target met)" : " (target MISSED)") : ""));
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| # | figure | median | spread: min – max (IQR / median) | baseline (same run) | baseline median | vs baseline (paired runs min – max) | target | met |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in Rows)
        {
            var m = row.Measured;
            var spread = $"{Format(m.Min, row.Unit)} – {Format(m.Max, row.Unit)} ({m.RelativeSpread.ToString("P0", CultureInfo.InvariantCulture)}), n={m.Samples.Count}";
            var baseline = row.Baseline is { } b ? $"{Format(b.Median, row.Unit)} {row.Unit}" : "";
            var ratio = row.Ratio is { } r ? RatioText(row, r) : "";
            if (row.Paired is { } p)
            {
                ratio += row.RatioKind == "difference"
                    ? $" ({Signed(p.Min, row.Unit)} – {Signed(p.Max, row.Unit)})"
                    : $" ({p.Min.ToString("0.00", CultureInfo.InvariantCulture)} – {p.Max.ToString("0.00", CultureInfo.InvariantCulture)})";
            }

            var met = row.Met switch { true => "yes", false => "**no**", null => "" };
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Section} | {row.Name} | {Format(m.Median, row.Unit)} {row.Unit} | {spread} | {row.BaselineName} | {baseline} | {ratio} | {row.Target} | {met} |");
        }

        return text.ToString();
    }

    public async Task WriteJsonAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var document = new
        {
            generatedAt = DateTimeOffset.UtcNow,
            machine = Machine,
            notes = Notes,
            figures = Rows.Select(r => new
            {
                r.Id,
                r.Section,
                r.Name,
                r.Unit,
                measured = Shape(r.Measured),
                baseline = r.Baseline is null ? null : new { name = r.BaselineName, summary = Shape(r.Baseline) },
                comparison = r.Ratio is null ? null : new { kind = r.RatioKind, value = r.Ratio, paired = r.Paired is null ? null : Shape(r.Paired) },
                r.Target,
                r.Met,
                r.Note,
            }),
        };
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, document, JsonOptions, cancellationToken);
    }

    private static object Shape(Summary s) => new
    {
        median = s.Median,
        min = s.Min,
        max = s.Max,
        q1 = s.Q1,
        q3 = s.Q3,
        iqr = s.Iqr,
        relativeSpread = s.RelativeSpread,
        runs = s.Samples.Count,
        samples = s.Samples,
    };

    private static string RatioText(BenchRow row, double r) =>
        row.RatioKind == "difference" ? $"{Signed(r, row.Unit)} {row.Unit}" : $"×{r.ToString("0.00", CultureInfo.InvariantCulture)}";

    private static string Signed(double value, string unit) => (value >= 0 ? "+" : "") + Format(value, unit);

    private static string Format(double value, string unit) => unit switch
    {
        "s" => value.ToString(value < 10 ? "0.000" : "0.00", CultureInfo.InvariantCulture),
        "ms" => value.ToString("0.00", CultureInfo.InvariantCulture),
        "MiB" => value.ToString("0.0", CultureInfo.InvariantCulture),
        "req/s" => value.ToString("0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
