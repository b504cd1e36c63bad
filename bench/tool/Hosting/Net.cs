using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ChatKit.Bench.Hosting;

/// <summary>Loopback ports and waiting for a service to answer.</summary>
public static class Net
{
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static async Task WaitHttpOkAsync(string url, TimeSpan timeout, Func<bool>? stillAlive = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (stillAlive is not null && !stillAlive()) throw new InvalidOperationException($"process died before {url} answered");
            try
            {
                using var r = await http.GetAsync(url);
                if (r.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{url} did not answer 200 within {timeout.TotalSeconds} s");
    }
}
