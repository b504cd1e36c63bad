using ChatKit.ServiceDefaults.Auth;

namespace ChatKit.Tests.Fast.Auth;

/// <summary>
/// The warm-up's Better Auth-shaped tokens (<see cref="BetterAuthTokenWarmUp"/>) must pass the EdDSA check a person's
/// token goes through, or the warm-up compiles the failure path instead; the step throws when one does not.
/// </summary>
public sealed class TokenWarmUpTests
{
    [Fact]
    public async Task EachWarmUpTokenIsNewAndPassesTheEdDsaCheck()
    {
        for (var i = 0; i < 3; i++)
        {
            var failure = await Record.ExceptionAsync(() => BetterAuthTokenWarmUp.ValidateAsync(null!, null!, CancellationToken.None));
            Assert.Null(failure);
        }
    }
}
