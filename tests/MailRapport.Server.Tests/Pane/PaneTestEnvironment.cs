using System.Diagnostics;

namespace MailRapport.Server.Tests.Pane;

/// <summary>Where the pane tests find the repository, the shared reference material and the tools they drive.</summary>
internal static class PaneTestEnvironment
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string XsdFolder => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "reference", "addin", "xsd"));
    public static string ManifestFolder => Path.Combine(RepoRoot, "manifest");
    public static string ManifestValidator => Path.Combine(ManifestFolder, "node_modules", ".bin", "office-addin-manifest");
    public const string Chromium = "/usr/bin/chromium";
    public static string ScreenshotFolder { get; } = Directory.CreateDirectory(Path.Combine(RepoRoot, "artifacts", "screenshots")).FullName;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MailRapport.sln"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (MailRapport.sln) above " + AppContext.BaseDirectory);
    }

    public static string? OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    /// <summary>Runs a tool to completion and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>Skips when Microsoft's add-in XSDs (../shared/reference/addin/xsd) or xmllint are not on this machine.</summary>
public sealed class NeedsAddinXsdFactAttribute : FactAttribute
{
    public NeedsAddinXsdFactAttribute()
    {
        if (!File.Exists(Path.Combine(PaneTestEnvironment.XsdFolder, "OfficeAppManifestV1_1.xsd")))
            Skip = $"Add-in XSDs not found at {PaneTestEnvironment.XsdFolder}: XML manifest schema validation skipped.";
        else if (PaneTestEnvironment.OnPath("xmllint") is null)
            Skip = "xmllint is not installed (apt-get install libxml2-utils; tests/run.sh does it): XML manifest validation skipped.";
    }
}

/// <summary>Skips when office-addin-manifest has not been installed in manifest/ (tests/run.sh runs npm ci there).</summary>
public sealed class NeedsManifestValidatorFactAttribute : FactAttribute
{
    public NeedsManifestValidatorFactAttribute()
    {
        if (!File.Exists(PaneTestEnvironment.ManifestValidator))
            Skip = $"office-addin-manifest not installed ({PaneTestEnvironment.ManifestValidator}): run `npm ci` in manifest/ or tests/run.sh.";
    }
}

/// <summary>Skips when Debian's Chromium is missing (tests/run.sh installs it).</summary>
public sealed class NeedsChromiumFactAttribute : FactAttribute
{
    public NeedsChromiumFactAttribute()
    {
        if (!File.Exists(PaneTestEnvironment.Chromium))
            Skip = $"{PaneTestEnvironment.Chromium} is missing (apt-get install chromium; tests/run.sh does it): browser tests skipped.";
    }
}

/// <summary>A theory that skips like <see cref="NeedsChromiumFactAttribute"/>.</summary>
public sealed class NeedsChromiumTheoryAttribute : TheoryAttribute
{
    public NeedsChromiumTheoryAttribute()
    {
        if (!File.Exists(PaneTestEnvironment.Chromium))
            Skip = $"{PaneTestEnvironment.Chromium} is missing (apt-get install chromium; tests/run.sh does it): browser tests skipped.";
    }
}
