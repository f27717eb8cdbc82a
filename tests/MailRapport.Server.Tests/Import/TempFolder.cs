namespace MailRapport.Server.Tests.Import;

/// <summary>A scratch folder for hand-written mail samples, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mr-import-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string Write(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content.ReplaceLineEndings("\n"));
        return full;
    }

    public string WriteBytes(string relative, byte[] content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs only when the Enron corpus is present in ../shared/data/enron; skips with a clear message otherwise.</summary>
public sealed class EnronFactAttribute : FactAttribute
{
    public static readonly string Root = FindRoot();

    public EnronFactAttribute()
    {
        if (!Directory.Exists(Root))
            Skip = $"Enron corpus not found at {Root} (../shared/data/enron/maildir): real-mail import check skipped.";
    }

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("MAILRAPPORT_ENRON");
        if (!string.IsNullOrEmpty(env)) return env;
        return Support.SharedFolder.Find(System.IO.Path.Combine("data", "enron", "maildir"), Directory.Exists); // absent: the tests skip
    }
}
