namespace MailRapport.Server.Tests.Support;

/// <summary>Finds ../shared beside the repository, walking up from the test binaries; tests that need it skip without it.</summary>
internal static class SharedFolder
{
    /// <summary>
    /// The first <c>../shared/<paramref name="relative"/></c> above the test binaries for which <paramref name="found"/>
    /// holds; otherwise that path from the working directory (absent, so the tests skip).
    /// </summary>
    public static string Find(string relative, Func<string, bool> found)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", relative);
            if (found(candidate)) return Path.GetFullPath(candidate);
        }
        return Path.GetFullPath(Path.Combine("..", "shared", relative));
    }
}
