namespace ChatKit.Bench.Common;

/// <summary>The nearest-rank quantile every scenario and drill reports (NaN for no values).</summary>
public static class Quantile
{
    public static double Of(List<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1))];
    }
}
