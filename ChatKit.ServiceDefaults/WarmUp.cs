using System.Diagnostics;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Sends a service's hot requests to itself after it starts, before <c>/health</c> says it is ready, so that the first
/// burst a new replica takes (Container Apps adds one in the middle of a burst) does not also pay for JIT compilation,
/// the connection pool and the signature tables (docs/benchmarks.md, "A person in the crowd"). The requests are read-only and made
/// as a user of their own, with a ChatKit session token the service mints; failures only make the warm-up shorter.
/// <c>WarmUp:Rounds</c> (default 30; 0 turns it off) sets how many times each request is sent.
/// </summary>
public sealed class WarmUp(IServer server, IHostApplicationLifetime lifetime, IServiceProvider services,
    IConfiguration configuration, ILogger<WarmUp> logger) : BackgroundService, IHealthCheck
{
    /// <summary>The owner of the warm-up's requests: no person can sign in as it (Better Auth ids have no spaces).</summary>
    public const string UserId = "chatkit warm-up";

    const int Parallel = 4;
    static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The requests to send, made per round (a request message is sent once).</summary>
    public List<Func<IServiceProvider, HttpRequestMessage>> Requests { get; } = [];

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(done.Task.IsCompleted ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Warming up."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var rounds = configuration.GetValue("WarmUp:Rounds", 30);
            if (rounds <= 0 || Requests.Count == 0) return;
            // Ed25519's precomputed tables are built by the first verification, under a lock every burst's first
            // Better Auth tokens queue on.
            Ed25519.Precompute();
            await Started(stoppingToken);
            if (BaseAddress() is not { } address) return;

            var watch = Stopwatch.StartNew();
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            budget.CancelAfter(Budget);
            using var http = new HttpClient { BaseAddress = address };
            var failures = 0;
            await System.Threading.Tasks.Parallel.ForEachAsync(
                Enumerable.Range(0, rounds).SelectMany(_ => Requests),
                new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = budget.Token },
                async (make, ct) =>
                {
                    try
                    {
                        using var request = make(services);
                        using var response = await http.SendAsync(request, ct);
                        await response.Content.CopyToAsync(Stream.Null, ct);
                        if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref failures);
                    }
                });
            logger.LogInformation("Warmed up with {Count} requests in {Ms} ms ({Failures} failed).",
                rounds * Requests.Count, watch.ElapsedMilliseconds, failures);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("The warm-up ran out of time; the service is ready anyway.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The warm-up failed; the service is ready anyway.");
        }
        finally
        {
            done.TrySetResult();
        }
    }

    /// <summary>A Bearer header for the warm-up user (a ChatKit session token, which both services accept).</summary>
    public static HttpRequestMessage WithToken(IServiceProvider services, HttpRequestMessage request)
    {
        request.Headers.Authorization = new("Bearer", services.GetRequiredService<ChatKitSessionTokens>().Create(UserId).ClientSecret);
        return request;
    }

    async Task Started(CancellationToken ct)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = ct.Register(() => started.TrySetCanceled(ct));
        await started.Task;
    }

    /// <summary>The service's own first HTTP address, with a wildcard host made a loopback one.</summary>
    Uri? BaseAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault();
        if (address is null) return null;
        var uri = new UriBuilder(address.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://[::]", "://localhost")
            .Replace("://0.0.0.0", "://localhost"));
        return uri.Uri;
    }
}

public static class WarmUpExtensions
{
    /// <summary>Adds the <see cref="WarmUp"/> of the service's hot requests; <c>/health</c> answers 503 until it is done.</summary>
    public static TBuilder AddWarmUp<TBuilder>(this TBuilder builder, params Func<IServiceProvider, HttpRequestMessage>[] requests)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<WarmUp>(services =>
        {
            var warmUp = ActivatorUtilities.CreateInstance<WarmUp>(services);
            warmUp.Requests.AddRange(requests);
            return warmUp;
        });
        builder.Services.AddHostedService(services => services.GetRequiredService<WarmUp>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("warm-up", services => services.GetRequiredService<WarmUp>(),
            HealthStatus.Unhealthy, ["ready"]));
        return builder;
    }
}
