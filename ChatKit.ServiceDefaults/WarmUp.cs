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
/// Runs a service's hot path against itself after it starts, before <c>/health</c> says it is ready, so that the first
/// burst a new replica takes (Container Apps adds one in the middle of a burst) does not also pay for JIT compilation,
/// the connection pool and the signature tables (docs/benchmarks.md, "A person in the crowd"). Everything is done as a
/// user of its own, with a ChatKit session token the service mints, and leaves nothing behind (its turns never reach the
/// provider, and delete their threads); failures only make the warm-up shorter. Each request goes on a new connection,
/// and every round also checks a Better Auth-shaped token (<see cref="BetterAuthTokenWarmUp"/>), as a burst of new
/// people brings both.
/// <c>WarmUp:Rounds</c> (default 30, 0 in Development; 0 turns it off) sets how many times each step runs.
/// </summary>
public sealed class WarmUp(IServer server, IHostApplicationLifetime lifetime, IHostEnvironment environment, IServiceProvider services,
    IConfiguration configuration, ILogger<WarmUp> logger) : BackgroundService, IHealthCheck
{
    /// <summary>The owner of the warm-up's requests: no person can sign in as it (Better Auth ids have no spaces).</summary>
    public const string UserId = "chatkit warm-up";

    const int Parallel = 4, FirstRounds = 3;
    static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What runs once, before the rounds (e.g. filling the connection pool).</summary>
    public List<WarmUpStep> Once { get; } = [];

    /// <summary>What runs in every round: requests to the service itself; a step throws when its request failed.</summary>
    public List<WarmUpStep> Steps { get; } = [];

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(done.Task.IsCompleted ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Warming up."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Development (the AppHost's run mode, the whole-app tests) starts one process to use at once, not a replica
            // for a burst: the warm-up would only delay it.
            var rounds = configuration.GetValue("WarmUp:Rounds", environment.IsDevelopment() ? 0 : 30);
            if (rounds <= 0 || Steps.Count + Once.Count == 0) return;
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
            async Task RunAsync(IEnumerable<WarmUpStep> steps) => await System.Threading.Tasks.Parallel.ForEachAsync(steps,
                new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = budget.Token },
                async (step, ct) =>
                {
                    try
                    {
                        await step(http, services, ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        if (Interlocked.Increment(ref failures) == 1) logger.LogDebug(e, "A warm-up step failed.");
                    }
                });
            // Tiered compilation counts calls only once no new method has been compiled for a moment, and promotes a
            // method to optimized code after 30 counted calls, in the background: a few rounds first (the first
            // compilation), a pause, then the rounds that are counted, and a wait until the promotions are compiled.
            await RunAsync(Once.Concat(Enumerable.Range(0, FirstRounds).SelectMany(_ => Steps)));
            await JitQuietAsync(budget.Token);
            await RunAsync(Enumerable.Range(0, rounds).SelectMany(_ => Steps));
            await JitQuietAsync(budget.Token);
            logger.LogInformation("Warmed up with {Count} steps in {Ms} ms ({Failures} failed).",
                Once.Count + (FirstRounds + rounds) * Steps.Count, watch.ElapsedMilliseconds, failures);
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

    /// <summary>Waits until no method has been compiled for half a second (the JIT's background work is done).</summary>
    static async Task JitQuietAsync(CancellationToken ct)
    {
        var last = System.Runtime.JitInfo.GetCompiledMethodCount();
        for (var quiet = 0; quiet < 5;)
        {
            await Task.Delay(100, ct);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /// <summary>A Bearer header for the warm-up user (a ChatKit session token, which both services accept).</summary>
    public static HttpRequestMessage WithToken(IServiceProvider services, HttpRequestMessage request)
    {
        request.Headers.Authorization = new("Bearer", services.GetRequiredService<ChatKitSessionTokens>().Create(UserId).ClientSecret);
        return request;
    }

    /// <summary>A step that sends one request as the warm-up user and reads the whole response.</summary>
    public static WarmUpStep Send(Func<HttpRequestMessage> make) => async (http, services, ct) =>
        await SendAsync(http, WithToken(services, make()), ct);

    /// <summary>
    /// Sends a request (its token already set) on a connection of its own, reads the whole body and throws unless it
    /// succeeded. A burst of people opens a connection each; a new one per request compiles that path too.
    /// </summary>
    public static async Task<string> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            request.Headers.ConnectionClose = true;
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            response.EnsureSuccessStatusCode();
            return body;
        }
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

/// <summary>One step of a <see cref="WarmUp"/>: requests to the service itself, through <paramref name="http"/>.</summary>
public delegate Task WarmUpStep(HttpClient http, IServiceProvider services, CancellationToken ct);

public static class WarmUpExtensions
{
    /// <summary>
    /// Adds the <see cref="WarmUp"/> of the service's hot path: <paramref name="once"/> before the rounds, then each
    /// of <paramref name="steps"/> in every round; <c>/health</c> answers 503 until it is done.
    /// </summary>
    public static TBuilder AddWarmUp<TBuilder>(this TBuilder builder, WarmUpStep[] steps, params WarmUpStep[] once)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<WarmUp>(services =>
        {
            var warmUp = ActivatorUtilities.CreateInstance<WarmUp>(services);
            warmUp.Steps.AddRange(steps);
            warmUp.Steps.Add(BetterAuthTokenWarmUp.ValidateAsync);
            warmUp.Once.AddRange(once);
            return warmUp;
        });
        builder.Services.AddHostedService(services => services.GetRequiredService<WarmUp>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("warm-up", services => services.GetRequiredService<WarmUp>(),
            HealthStatus.Unhealthy, ["ready"]));
        return builder;
    }
}
