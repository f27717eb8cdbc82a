using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailRapport.Server.Storage;

/// <summary>
/// The store cannot be used. The message is one line for a person: which file (or server), what is wrong, and
/// what to do. The command line and the service print it instead of a stack trace (--verbose shows the trace).
/// </summary>
public sealed class StoreUnusableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The one-line explanation of a store failure anywhere in <paramref name="e"/>, or null when it is something else.</summary>
    public static string? Find(Exception e) => e switch
    {
        StoreUnusableException store => store.Message,
        AggregateException all => all.InnerExceptions.Select(Find).FirstOrDefault(m => m is not null),
        { InnerException: { } inner } => Find(inner),
        _ => null,
    };
}

/// <summary>How a store failure reads to a person; checks an SQLite file before SQLite finds out the hard way.</summary>
internal static class StoreProblems
{
    private const string ElsewhereSqlite = "point --db (Store:Path) at another file";

    /// <summary>One line naming <paramref name="location"/>, or null when <paramref name="e"/> is not about the store.</summary>
    public static string? Explain(Exception e, StoreProvider provider, string location) => e switch
    {
        StoreUnusableException s => s.Message,
        SqliteException { SqliteErrorCode: 8 } => $"{location} is read-only: make it writable (chmod u+w) or {ElsewhereSqlite}.",
        SqliteException { SqliteErrorCode: 11 or 26 } s =>
            $"{location} is damaged or not a MailRapport database ({s.Message.TrimEnd('.')}): restore it from a backup, or move it aside to start afresh.",
        SqliteException { SqliteErrorCode: 14 or 3 or 23 } =>
            $"{location} cannot be opened: check that its folder exists and this user may read and write it, or {ElsewhereSqlite}.",
        SqliteException { SqliteErrorCode: 13 } => $"{location}: the disk is full. Free some space and try again.",
        SqliteException { SqliteErrorCode: 10 } s => $"{location}: the disk reported an error ({s.Message.TrimEnd('.')}). Check the disk, then try again.",
        SqliteException { SqliteErrorCode: 5 or 6 } => $"{location} stayed locked by another process for a minute: stop the other MailRapport process or try again.",
        UnauthorizedAccessException or IOException when provider == StoreProvider.Sqlite =>
            $"{location} cannot be reached ({e.Message.TrimEnd('.')}): check the folder's permissions, or {ElsewhereSqlite}.",
        NpgsqlException or System.Net.Sockets.SocketException or TimeoutException when provider == StoreProvider.Postgres =>
            $"PostgreSQL at {location} cannot be used ({e.Message.TrimEnd('.')}): check Store:ConnectionString and that the server is running.",
        _ => e.InnerException is { } inner ? Explain(inner, provider, location) : null,
    };

    /// <summary>
    /// What is wrong with an existing SQLite file, read from its mode bits and 100-byte header: marked read-only
    /// (root writes through chmod 444, but the owner meant it), not SQLite, or shorter than its header says (truncated).
    /// </summary>
    public static string? CheckSqliteFile(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length == 0) return null; // a new store
        bool readOnly = OperatingSystem.IsWindows()
            ? file.IsReadOnly
            : (File.GetUnixFileMode(path) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0;
        if (readOnly)
            return $"{path} is read-only: make it writable (chmod u+w) or {ElsewhereSqlite}.";
        Span<byte> header = stackalloc byte[100];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header[..16].SequenceEqual("SQLite format 3\0"u8))
                return $"{path} is not a SQLite database (damaged, or another kind of file): restore it from a backup, or move it aside to start afresh.";
        }
        // The in-header page count is valid when the change counter matches version-valid-for (offsets 24 and 92).
        // With a write-ahead log present the log may still hold pages, so only a file without one is measured.
        int pageSize = BinaryPrimitives.ReadUInt16BigEndian(header[16..]) is var p && p == 1 ? 65536 : BinaryPrimitives.ReadUInt16BigEndian(header[16..]);
        uint pages = BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        bool countValid = pages > 0 && BinaryPrimitives.ReadUInt32BigEndian(header[24..]) == BinaryPrimitives.ReadUInt32BigEndian(header[92..]);
        var wal = new FileInfo(path + "-wal");
        if (countValid && !(wal.Exists && wal.Length > 0) && file.Length < (long)pages * pageSize)
            return $"{path} is truncated ({file.Length:N0} of {(long)pages * pageSize:N0} bytes): restore it from a backup, or move it aside to start afresh.";
        return null;
    }
}
