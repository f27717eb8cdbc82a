using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailRapport.Server.Cli;

namespace MailRapport.Server.Tests.Support;

/// <summary>A real `mailrapport serve` process on a loopback port, its output kept for assertions.</summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process process;
    public ConcurrentQueue<string> Lines { get; } = new();
    public string Name { get; }
    public string Url { get; }

    public ServiceProcess(string name, string workingDirectory, IDictionary<string, string> settings)
    {
        Name = name;
        Url = $"http://127.0.0.1:{FreePort()}";
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        psi.ArgumentList.Add("serve");
        foreach (var (key, value) in settings.Append(new("Service:LocalUrl", Url)).Append(new("Scheduling:InstanceId", name)))
            psi.ArgumentList.Add($"--{key}={value}");
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["Logging__Console__FormatterName"] = "simple";
        psi.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public bool HasExited => process.HasExited;

    public void Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    public string Output => string.Join('\n', Lines);

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
