namespace ChatKit.Bench.Drills;

/// <summary>Our stack on the fake OpenAI-compatible provider, with the provider's resilience bounded for the drills.</summary>
public static class FakeProviderStack
{
    public static async Task<Stack> StartAsync(FakeOpenAIServer fake)
    {
        var stack = await Stack.StartAsync();
        stack.UseModel(fake);
        // Bounded drill: 10 s per provider attempt and 30 s in all (defaults 60 s and 3 min) through the agent's own knob.
        stack.AgentEnvExtra["Agent__Model__Resilience__AttemptTimeout__Timeout"] = "00:00:10";
        stack.AgentEnvExtra["Agent__Model__Resilience__TotalRequestTimeout__Timeout"] = "00:00:30";
        await stack.StartOursAsync();
        return stack;
    }
}
