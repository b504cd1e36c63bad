namespace ChatKit.Bench;

public static class Scale
{
    public static Task<int> Run(Dictionary<string, string> opts) => Task.FromResult(0);
}
