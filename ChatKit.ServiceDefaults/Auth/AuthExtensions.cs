using System.Text;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>Validation of Better Auth JWTs, shared by the API service and the agent.</summary>
public static class AuthExtensions
{
    /// <summary>
    /// Adds bearer authentication for Better Auth tokens (configuration section <c>Auth:BetterAuth</c>)
    /// and an authorization fallback that requires an authenticated user with a <c>sub</c>.
    /// </summary>
    public static TBuilder AddChatKitAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var section = builder.Configuration.GetSection("Auth:BetterAuth");
        var secret = section["Secret"];
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CurrentUser>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = section["Issuer"],
                ValidateIssuer = !string.IsNullOrEmpty(section["Issuer"]),
                ValidAudience = section["Audience"],
                ValidateAudience = !string.IsNullOrEmpty(section["Audience"]),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                IssuerSigningKey = string.IsNullOrEmpty(secret) ? null : new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
                NameClaimType = "name",
                ClockSkew = TimeSpan.FromSeconds(30),
            };
        });
        builder.Services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder()
                .RequireAuthenticatedUser().RequireClaim(CurrentUser.SubjectClaim).Build());
        return builder;
    }
}
