using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace ChatKit.Tests.Infrastructure;

/// <summary>
/// The whole app scaled out: two API replicas behind the AppHost's endpoint, as in a scaled-out deployment, with the
/// API's agent address pointed at a <see cref="FakeAgent"/> (short agent timeouts, small attachment limits and quota, a
/// cleanup of unsent attachments every second, a short turn lease); <see cref="Replicas"/> reach each replica directly.
/// Its own collection: one extra AppHost. Everything one API process does is tested in process (Fast/, ApiApp).
/// </summary>
public sealed class ScaleOutFixture : AppFixture
{
    public const int MaxAttachmentBytes = 4096;
    public const int MaxAttachmentsPerMessage = 2;

    public FakeAgent Agent { get; } = new();

    public const int AttachmentQuotaBytes = 3 * MaxAttachmentBytes;
    public static readonly TimeSpan TurnLease = TimeSpan.FromSeconds(3);

    /// <summary>The API replicas, each at its own address (not through the AppHost's round-robin endpoint).</summary>
    public IReadOnlyList<ApiReplica> Replicas { get; private set; } = [];

    // Through the AppHost's ChatKit:* settings, as an operator would set them.
    protected override IEnumerable<string> Arguments =>
    [
        .. base.Arguments,
        $"--ChatKit:Agent:BaseAddress={Agent.Url}",
        "--ChatKit:Agent:ResponseTimeout=00:00:01.500",
        "--ChatKit:Agent:IdleTimeout=00:00:01.500",
        $"--ChatKit:Attachments:MaxBytes={MaxAttachmentBytes}",
        $"--ChatKit:Attachments:QuotaBytes={AttachmentQuotaBytes}",
        "--ChatKit:Attachments:CleanupInterval=00:00:01",
        $"--ChatKit:Attachments:MaxPerMessage={MaxAttachmentsPerMessage}",
        $"--ChatKit:Conversations:TurnLease={TurnLease}",
        "--Replicas:Api=2",
    ];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Replicas = await FindReplicasAsync();
        // The AppHost calls the resource healthy with one replica ready; the other may still be warming up (its warm-up
        // turns reach the fake agent), and no test may start before both are.
        foreach (var replica in Replicas) await WaitUntilReadyAsync(replica);
    }

    /// <summary>Each apiservice replica's own URL and process, from the AppHost's resource snapshots.</summary>
    async Task<IReadOnlyList<ApiReplica>> FindReplicasAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var found = new Dictionary<string, ApiReplica>();
        await foreach (var e in App.ResourceNotifications.WatchAsync(cts.Token))
        {
            if (e.Resource.Name != "apiservice" || e.Snapshot.State?.Text != KnownResourceStates.Running) continue;
            var url = e.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value;
            var pid = e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
            if (url is null || pid is null) continue;
            found[e.ResourceId] = new ApiReplica(e.ResourceId, new Uri(url.Split(';')[0]), Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture));
            if (found.Count == 2) break;
        }
        return [.. found.Values.OrderBy(r => r.ResourceId, StringComparer.Ordinal)];
    }

    /// <summary>A client of one replica, signed in as the user.</summary>
    public HttpClient CreateReplicaClientFor(ApiReplica replica, string userId) =>
        new HttpClient { BaseAddress = replica.Url, Timeout = TimeSpan.FromSeconds(60) }.As(userId);

    /// <summary>Starts a replica again (after a test killed its process) and waits until it answers its health check.</summary>
    public async Task StartReplicaAgainAsync(ApiReplica replica)
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var commands = App.Services.GetRequiredService<ResourceCommandService>();
        // Until the AppHost has seen the process exit, it refuses to start it again.
        ExecuteCommandResult result;
        while (!(result = await commands.ExecuteCommandAsync(replica.ResourceId, KnownResourceCommands.StartCommand, cts.Token)).Success)
        {
            await Task.Delay(500, cts.Token);
        }
        await WaitUntilReadyAsync(replica);
    }

    /// <summary>Waits until the replica's health check says ready (its warm-up done).</summary>
    static async Task WaitUntilReadyAsync(ApiReplica replica)
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        using var http = new HttpClient { BaseAddress = replica.Url, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            try
            {
                using var health = await http.GetAsync("/health", cts.Token);
                if (health.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException && !cts.IsCancellationRequested)
            {
                // Not listening yet, or too busy warming up to answer within the client's timeout.
            }
            await Task.Delay(200, cts.Token);
        }
    }

    /// <summary>Runs SQL on the conversations database (to age rows, count them).</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] args) => (T)(await ExecuteAsync(sql, args))!;

    async Task<object?> ExecuteAsync(string sql, params object[] args)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(await ConnectionStringAsync("conversationsdb"));
        await using var command = dataSource.CreateCommand(sql);
        foreach (var arg in args) command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = arg });
        return await command.ExecuteScalarAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Agent.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<ScaleOutFixture>
{
    public const string Name = "scale-out";
}

/// <summary>One API process of a scaled-out AppHost.</summary>
public sealed record ApiReplica(string ResourceId, Uri Url, int ProcessId);
