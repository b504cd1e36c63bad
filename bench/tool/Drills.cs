namespace ChatKit.Bench;

public static class Drills
{
    public static Task<int> Run(string name, Dictionary<string, string> opts) => Task.FromResult(0);
}
