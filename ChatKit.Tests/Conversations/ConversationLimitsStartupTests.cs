using ChatKit.ApiService.Conversations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatKit.Tests.Conversations;

/// <summary>The ChatKit:Conversations limits have working defaults and are checked when the API starts.</summary>
public sealed class ConversationLimitsStartupTests
{
    [Fact]
    public async Task TheDefaultLimitsStartAndHoldTogether()
    {
        using var host = Build([]);
        await host.StartAsync();
        var limits = host.Services.GetRequiredService<IOptions<ConversationOptions>>().Value;
        Assert.True(limits.MaxToolOutputBytes < limits.MaxItemBytes);
        Assert.True(limits.MaxItemBytes <= limits.MaxHistoryBytes && limits.MaxItemBytes <= limits.MaxPageBytes);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("MaxQuotedTextLength", "0", "MaxQuotedTextLength")]
    [InlineData("MaxTagDataBytes", "-5", "MaxTagDataBytes")]
    [InlineData("MaxContentParts", "100000", "MaxContentParts")]
    [InlineData("MaxItemBytes", "4194304", "MaxItemBytes must not be larger than MaxHistoryBytes")]
    [InlineData("MaxPageBytes", "2048", "MaxItemBytes must not be larger than MaxPageBytes")]
    [InlineData("MaxToolOutputBytes", "262144", "MaxToolOutputBytes must be smaller than MaxItemBytes")]
    public async Task ALimitOutOfRangeOrOutOfStepStopsStartUp(string key, string value, string message)
    {
        using var host = Build(new() { [$"{ConversationOptions.Section}:{key}"] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(message, error.Message);
    }

    static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddConversationStore();
        return builder.Build();
    }
}
