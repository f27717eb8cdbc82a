using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using MailRapport.Core.Sample;
using MailRapport.Server.Cli;

namespace MailRapport.Server.Tests.Pane;

/// <summary>
/// The real service as a user runs it: `mailrapport serve` in local mode (sample mailbox, SQLite, first scan at
/// start) on a free loopback port, in a private temp folder. The browser tests drive the pane it serves.
/// </summary>
internal sealed class LocalServiceHost : IPaneHost
{
    private readonly Process process;
    private readonly string directory;
    private readonly ConcurrentQueue<string> output = new();
    public string BaseUrl { get; }
    public string OwnerAddress => SampleMailboxGenerator.OwnerAddress;
    public string Description => "the real service in local mode (mailrapport serve, sample mailbox)";

    private LocalServiceHost(Process process, string directory, string baseUrl)
    {
        this.process = process;
        this.directory = directory;
        BaseUrl = baseUrl;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static async Task<LocalServiceHost> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("mailrapport-pane-").FullName;
        var url = $"http://127.0.0.1:{FreePort()}";
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add($"--Service:LocalUrl={url}");
        psi.ArgumentList.Add($"--Store:Path={Path.Combine(directory, "mailrapport.db")}");
        psi.Environment["DOTNET_NOLOGO"] = "1";
        var host = new LocalServiceHost(Process.Start(psi)!, directory, url);
        try
        {
            await host.WaitForFirstScanAsync(TimeSpan.FromMinutes(3));
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    private async Task WaitForFirstScanAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"mailrapport serve exited ({process.ExitCode}):\n{string.Join('\n', output)}");
            try
            {
                var me = await http.GetFromJsonAsync<JsonElement>("/api/me");
                if (!me.GetProperty("firstScanPending").GetBoolean() && me.GetProperty("contacts").GetInt64() > 0) return;
            }
            catch (HttpRequestException) { } // not listening yet
            await Task.Delay(250);
        }
        throw new TimeoutException($"the first scan did not finish within {timeout}:\n{string.Join('\n', output)}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
