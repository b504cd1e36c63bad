namespace ChatKit.Bench;

public static class FakeOpenAi
{
    public static Task<int> Serve(Dictionary<string, string> opts) => Task.FromResult(0);
}
