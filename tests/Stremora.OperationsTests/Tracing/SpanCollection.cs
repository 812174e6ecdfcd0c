using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Stremora.OperationsTests.Tracing;

/// <summary>What the in-memory exporter received; spans end on many threads, so every access is locked.</summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly Lock _gate = new();
    private readonly List<Activity> _spans = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId)
    {
        lock (_gate)
        {
            return [.. _spans.Where(s => s.TraceId == traceId)];
        }
    }

    public IReadOnlyList<Activity> From(string sourceName)
    {
        lock (_gate)
        {
            return [.. _spans.Where(s => s.Source.Name == sourceName)];
        }
    }

    /// <summary>The trace as an indented tree (name, then the attributes that say what happened).</summary>
    public static string Tree(IReadOnlyList<Activity> spans)
    {
        var text = new StringBuilder();
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        foreach (var root in spans.Where(s => !ids.Contains(s.ParentSpanId)).OrderBy(s => s.StartTimeUtc))
        {
            Write(root, 0);
        }

        return text.ToString();

        void Write(Activity span, int depth)
        {
            var tags = string.Join(" ", span.TagObjects
                .Where(t => t.Key.StartsWith("stremora.", StringComparison.Ordinal) || t.Key is "http.response.status_code" or "url.full" or "http.route")
                .Select(t => $"{t.Key}={Convert.ToString(t.Value, CultureInfo.InvariantCulture)}"));
            text.Append(' ', depth * 2).Append(span.DisplayName).Append(" [").Append(span.Source.Name).Append(", ").Append(span.Status).Append("] ").AppendLine(tags);
            foreach (var child in spans.Where(s => s.ParentSpanId == span.SpanId).OrderBy(s => s.StartTimeUtc))
            {
                Write(child, depth + 1);
            }
        }
    }

    public void Add(Activity item)
    {
        lock (_gate)
        {
            _spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _spans.Clear();
        }
    }

    public bool Contains(Activity item)
    {
        lock (_gate)
        {
            return _spans.Contains(item);
        }
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_gate)
        {
            _spans.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(Activity item)
    {
        lock (_gate)
        {
            return _spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator()
    {
        lock (_gate)
        {
            return _spans.ToList().GetEnumerator();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
