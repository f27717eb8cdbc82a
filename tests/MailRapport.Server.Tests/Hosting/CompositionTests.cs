using System.Text.RegularExpressions;
using MailRapport.Core;
using MailRapport.Server.Auth;
using MailRapport.Server.Hosting;
using MailRapport.Server.Tests.Infrastructure;
using MailRapport.Server.Tests.Support;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MailRapport.Server.Tests.Hosting;

/// <summary>One composition root: the service and the commands register the same services, and check every option first.</summary>
public sealed class CompositionTests
{
    private static bool Ours(Type type) =>
        type.Assembly == typeof(HostMode).Assembly || type.Assembly == typeof(StageModelOptions).Assembly
        || (type.IsGenericType && type.GetGenericArguments().Any(Ours));

    private static string Describe(ServiceDescriptor d) =>
        $"{d.ServiceType} <- {d.ImplementationType?.ToString() ?? d.ImplementationInstance?.GetType().ToString() ?? "factory"} ({d.Lifetime})";

    [Fact]
    public async Task Commands_register_what_the_service_registers_and_bind_the_same_settings()
    {
        using var factory = new ServiceFactory(entra: false) { RealScanner = true };
        factory.Settings["StageModel:CcWeight"] = "0.35";
        List<ServiceDescriptor> served = [];
        using var service = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => served = [.. s]));
        _ = service.Services; // composes the service

        var db = Path.Combine(factory.Directory, "command.db");
        var builder = CommandHost.CreateBuilder(CommandHost.StoreSettings(db).Append(new("StageModel:CcWeight", "0.35")));
        var commands = builder.Services.Where(d => Ours(d.ServiceType) || (d.ImplementationType is { } t && Ours(t))).Select(Describe).ToList();

        Assert.Contains(commands, d => d.StartsWith(typeof(RelationshipModel).ToString(), StringComparison.Ordinal));
        Assert.Contains(commands, d => d.StartsWith(typeof(MailRapport.Server.Storage.MailStore).ToString(), StringComparison.Ordinal));
        var servedDescriptions = served.Select(Describe).ToHashSet();
        Assert.All(commands, d => Assert.Contains(d, servedDescriptions));

        await using var command = CommandHost.Build(builder);
        Assert.Equal(0.35, command.Services.GetRequiredService<RelationshipModel>().Options.CcWeight);
        Assert.Equal(0.35, service.Services.GetRequiredService<RelationshipModel>().Options.CcWeight);
        Assert.Equal(service.Services.GetRequiredService<HostMode>().Mode, command.Services.GetRequiredService<HostMode>().Mode);
        Assert.False(File.Exists(db), "building a command's host opens no store");
    }

    [Fact]
    public void The_service_reads_its_settings_files_once_and_watches_no_folder()
    {
        using var factory = new ServiceFactory(entra: false);
        var configuration = (IConfigurationRoot)factory.Services.GetRequiredService<IConfiguration>();
        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files); // appsettings.json and its environment's file are read
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, f.Source.Path));
    }

    [Fact]
    public async Task A_command_host_starts_nothing()
    {
        var db = Path.Combine(Path.GetTempPath(), $"mr-command-{Guid.NewGuid():N}.db");
        await using var command = CommandHost.Build(CommandHost.CreateBuilder(CommandHost.StoreSettings(db)));
        // Hosted services (the Hangfire server, the scheduling start-up, the store migration) are registered but never started.
        Assert.NotEmpty(command.Services.GetServices<IHostedService>());
        Assert.Null(command.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>());
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void The_mode_is_decided_once_and_injected()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Service:Mode"] = "Entra" });
        var first = HostMode.Of(builder);
        builder.Configuration["Service:Mode"] = "Local"; // too late: the host is composed for Entra
        Assert.Same(first, HostMode.Of(builder));
        Assert.False(first.IsLocal);
        Assert.Null(first.LocalMailbox);
        Assert.Single(builder.Services, d => d.ServiceType == typeof(HostMode));
        using var host = builder.Build();
        Assert.Same(first, host.Services.GetRequiredService<HostMode>());
    }

    /// <summary>No feature reads Service:Mode (or any options) from configuration itself; they take HostMode or checked options.</summary>
    [Fact]
    public void Only_HostMode_reads_the_mode_and_no_options_are_read_unchecked()
    {
        var src = Path.Combine(Pane.PaneTestEnvironment.RepoRoot, "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToList();
        Assert.NotEmpty(files);
        var modeReads = files.Where(f => !f.EndsWith("HostMode.cs", StringComparison.Ordinal) && !f.EndsWith("ServiceOptions.cs", StringComparison.Ordinal)
            && Regex.IsMatch(File.ReadAllText(f), @"ServiceMode\.|IOptions<ServiceOptions>\s*\w+\)?\.Value\.Mode"));
        Assert.Empty(modeReads);
        var uncheckedReads = files.Where(f => Regex.IsMatch(File.ReadAllText(f), @"(GetSection\([^)]*\)|Configuration)\.(Get<|Bind\()")
            && !f.EndsWith("ConfigurationCheck.cs", StringComparison.Ordinal));
        Assert.Empty(uncheckedReads);
    }

    public static TheoryData<string[], string> InvalidServe => new()
    {
        { ["--StageModel:StrengthDepthWeight=0.5"], "StageModel: the strength weights" },
        { ["--StageModel:CcWeight=-1"], "StageModel:CcWeight is -1" },
        { ["--Service:Mode=Sideways"], "Service:Mode" },
        { ["--Service:LocalUrl=http://192.0.2.1:5080"], "Service:LocalUrl 'http://192.0.2.1:5080' is not a loopback address" },
        { ["--Service:Mode=Entra", "--Graph:BaseUrl=http://127.0.0.1:9/v1.0"], "Entra:ClientId is required" },
        { ["--Scheduling:MaxConcurrentScans=0"], "Scheduling:MaxConcurrentScans" },
        { ["--Store:Provider=Postgres"], "Store:ConnectionString is required when Store:Provider is Postgres." },
        { ["--Telemetry:OtlpEndpoint=collector:4317"], "Telemetry:OtlpEndpoint 'collector:4317' is not an absolute http(s) URL." },
    };

    [Theory]
    [MemberData(nameof(InvalidServe))]
    public async Task Invalid_settings_stop_the_service_at_start_with_one_line(string[] settings, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("mr-config-");
        try
        {
            var result = await CliRunner.RunAsync(dir.FullName, ["serve", $"--Store:Path={Path.Combine(dir.FullName, "s.db")}", .. settings]);
            Assert.Equal(1, result.ExitCode);
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("Configuration is not valid: ", line, StringComparison.Ordinal);
            Assert.Contains(expected, line, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir.FullName, "s.db")), "nothing is opened before the settings are checked");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Invalid_settings_stop_a_command_with_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("mr-config-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "appsettings.json"), """{ "StageModel": { "CoolingMinDays": 120 } }""");
            var result = await CliRunner.RunAsync(dir.FullName, "contacts", "--db", Path.Combine(dir.FullName, "c.db"));
            Assert.Equal(1, result.ExitCode);
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Equal("Configuration is not valid: StageModel:CoolingMinDays (120) is above StageModel:DormantMinDays (90): the first must not exceed the second.", line);
            Assert.False(File.Exists(Path.Combine(dir.FullName, "c.db")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
