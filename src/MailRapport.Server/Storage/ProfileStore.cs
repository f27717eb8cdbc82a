using System.Data.Common;
using Dapper;
using MailRapport.Core;
using Microsoft.Data.Sqlite;

namespace MailRapport.Server.Storage;

/// <summary>A contact as stored: its profile document and its stage history, oldest change first.</summary>
/// <summary>
/// One contact as stored: its profile document (format and UTF-8 bytes, parsed on first use) and its stage history.
/// The raw document lets the API tell an unchanged profile from a changed one without parsing it.
/// </summary>
public sealed class StoredContact(short format, byte[] document, IReadOnlyList<StageChange> history)
{
    public short Format => format;
    public ReadOnlySpan<byte> Document => document;
    public IReadOnlyList<StageChange> History => history;
    public StoredProfile Profile => field ??= StoredProfileFormat.Deserialize(format, document);
}

public sealed record StageChange(DateTimeOffset At, Stage Stage, Nurture Nurture);

public enum ContactSort
{
    Strength,
    Name,
    Address,
}

/// <summary>One page of a mailbox's contacts, filtered by stage and nurture.</summary>
public sealed record ContactQuery(Stage? Stage, Nurture? Nurture, ContactSort Sort, bool Descending, int Page, int PageSize);

/// <summary>
/// The profiles aggregate: each contact's stored profile (contact_profiles), its stage history (stage_history, in
/// ProfileStore.History.cs), the mailbox's coverage at the last recompute (mailbox_coverage) and the user's
/// per-address overrides (contact_overrides).
/// </summary>
public sealed partial class ProfileStore(MailStore store) : IMailboxErasure
{
    /// <summary>
    /// Replaces all of the mailbox's profiles and its coverage, in one transaction. <paramref name="state"/> says what the
    /// profiles stand at (a full recompute); without it the next recompute is a full one.
    /// </summary>
    public async Task ReplaceAsync(string mailboxId, IEnumerable<ContactProfile> profiles, MailboxCoverage coverage, DateTimeOffset computedAt,
        ProfileState? state = null, CancellationToken ct = default)
    {
        await using var tx = await store.BeginAsync(ct);
        await ReplaceAllAsync(tx, mailboxId, profiles, coverage, computedAt, state, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The writes of a replace (all profiles, coverage, state), in the caller's transaction.</summary>
    private static async Task ReplaceAllAsync(StoreTransaction tx, string mailboxId, IEnumerable<ContactProfile> profiles, MailboxCoverage coverage,
        DateTimeOffset computedAt, ProfileState? state, CancellationToken ct)
    {
        await PlainSql.ExecuteAsync(tx.Connection, tx.Transaction, "DELETE FROM contact_profiles WHERE mailbox_id = @m", [("m", mailboxId)], ct);
        await WriteProfilesAsync(tx, mailboxId, profiles, ct);
        await WriteCoverageAsync(tx, mailboxId, coverage, computedAt, ct);
        await WriteStateAsync(tx, mailboxId, state, ct);
    }

    /// <summary>
    /// Replaces some of the mailbox's profiles (an incremental recompute): stores <paramref name="profiles"/>, deletes the
    /// <paramref name="removed"/> addresses' profiles, stores the coverage and the new state, in one transaction.
    /// </summary>
    public async Task UpdateAsync(string mailboxId, IReadOnlyCollection<ContactProfile> profiles, IReadOnlyCollection<string> removed,
        MailboxCoverage coverage, ProfileState state, CancellationToken ct = default)
    {
        await using var tx = await store.BeginAsync(ct);
        await WriteChangesAsync(tx, mailboxId, profiles, removed, coverage, state, ct);
        await tx.CommitAsync(ct);
    }

    private static async Task WriteChangesAsync(StoreTransaction tx, string mailboxId, IReadOnlyCollection<ContactProfile> profiles,
        IReadOnlyCollection<string> removed, MailboxCoverage coverage, ProfileState state, CancellationToken ct)
    {
        if (removed.Count > 0)
            await RowBatch.ExecuteAsync(tx, "DELETE FROM contact_profiles WHERE mailbox_id = @m AND address = @a", ["m", "a"],
                removed.Select(a => new object?[] { mailboxId, a }), ct);
        await WriteProfilesAsync(tx, mailboxId, profiles, ct);
        await WriteCoverageAsync(tx, mailboxId, coverage, state.ComputedAt, ct);
        await WriteStateAsync(tx, mailboxId, state, ct);
    }

    /// <summary>
    /// Upserts the profiles. The document is serialized once, to UTF-8: SQLite takes those bytes as they are and stores
    /// them as TEXT (CAST of a blob to TEXT keeps its bytes), rather than a UTF-16 string it would encode again;
    /// PostgreSQL takes the string.
    /// </summary>
    private static Task WriteProfilesAsync(StoreTransaction tx, string mailboxId, IEnumerable<ContactProfile> profiles, CancellationToken ct)
    {
        bool sqlite = tx.Connection is SqliteConnection;
        return RowBatch.ExecuteAsync(tx, $"""
            INSERT INTO contact_profiles (mailbox_id, address, display_name, stage, nurture, flags, strength, profile, computed_at, profile_format)
            VALUES (@m, @a, @n, @s, @nu, @f, @st, {(sqlite ? "CAST(@p AS TEXT)" : "@p")}, @c, @pf)
            ON CONFLICT (mailbox_id, address) DO UPDATE SET display_name = excluded.display_name, stage = excluded.stage,
                nurture = excluded.nurture, flags = excluded.flags, strength = excluded.strength, profile = excluded.profile,
                computed_at = excluded.computed_at, profile_format = excluded.profile_format
            """, ["m", "a", "n", "s", "nu", "f", "st", "p", "c", "pf"],
            profiles.Select(profile =>
            {
                var document = StoredProfileFormat.Serialize(profile);
                return new object?[]
                {
                    mailboxId, profile.Address, profile.DisplayName, (short)profile.Stage, (short)profile.Nurture, (int)profile.Flags,
                    (int)Math.Round(profile.Strength), // the column orders lists; the profile keeps the decimal
                    sqlite ? document : System.Text.Encoding.UTF8.GetString(document), profile.AsOf.ToUnixTimeMilliseconds(),
                    StoredProfileFormat.Current,
                };
            }), ct);
    }

    private static Task WriteCoverageAsync(StoreTransaction tx, string mailboxId, MailboxCoverage coverage, DateTimeOffset computedAt, CancellationToken ct) =>
        PlainSql.ExecuteAsync(tx.Connection, tx.Transaction, """
            INSERT INTO mailbox_coverage (mailbox_id, coverage, computed_at, coverage_format) VALUES (@m, @json, @at, @format)
            ON CONFLICT (mailbox_id) DO UPDATE SET coverage = excluded.coverage, computed_at = excluded.computed_at, coverage_format = excluded.coverage_format
            """, [("m", mailboxId), ("json", StoredCoverageFormat.Serialize(coverage)), ("at", computedAt.ToUnixTimeMilliseconds()),
                ("format", StoredCoverageFormat.Current)], ct);

    /// <summary>One contact with its stage history, in one query (the profile repeats on each history row; it is read once).</summary>
    public async Task<StoredContact?> GetAsync(string mailboxId, string address, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT p.profile_format, p.profile, h.changed_at, h.stage, h.nurture
            FROM contact_profiles p
            LEFT JOIN stage_history h ON h.mailbox_id = p.mailbox_id AND h.address = p.address
            WHERE p.mailbox_id = @m AND p.address = @a
            ORDER BY h.changed_at
            """;
        Db.Parameter(cmd, "m", mailboxId);
        Db.Parameter(cmd, "a", address);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var (format, document) = ReadDocument(reader);
        var history = new List<StageChange>();
        do
        {
            if (!reader.IsDBNull(2))
                history.Add(new StageChange(Db.Time(Db.Long(reader, 2)), (Stage)Db.Long(reader, 3), (Nurture)Db.Long(reader, 4)));
        }
        while (await reader.ReadAsync(ct));
        return new StoredContact(format, document, history);
    }

    /// <summary>One page of contacts and how many match in all.</summary>
    public async Task<(long Total, IReadOnlyList<StoredProfile> Items)> ListAsync(string mailboxId, ContactQuery query, CancellationToken ct = default)
    {
        var where = "mailbox_id = @m" + (query.Stage is null ? "" : " AND stage = @s") + (query.Nurture is null ? "" : " AND nurture = @n");
        var orderBy = query.Sort switch
        {
            ContactSort.Strength => "strength",
            ContactSort.Name => "LOWER(COALESCE(display_name, address))",
            _ => "address",
        } + (query.Descending ? " DESC" : " ASC") + ", address ASC";
        var args = new
        {
            m = mailboxId, s = (short?)query.Stage, n = (short?)query.Nurture, take = query.PageSize,
            skip = (long)(query.Page - 1) * query.PageSize,
        };
        await using var connection = await store.OpenConnectionAsync(ct);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM contact_profiles WHERE {where}", args, cancellationToken: ct));
        var items = new List<StoredProfile>();
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"SELECT profile_format, profile FROM contact_profiles WHERE {where} ORDER BY {orderBy} LIMIT @take OFFSET @skip", args, cancellationToken: ct));
        while (await reader.ReadAsync(ct)) items.Add(ReadProfile(reader));
        return (total, items);
    }

    /// <summary>How many contacts the mailbox has per stage and nurture.</summary>
    public async Task<IReadOnlyList<(Stage Stage, Nurture Nurture, long Count)>> CountAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(long Stage, long Nurture, long N)>(new CommandDefinition(
            "SELECT stage, nurture, COUNT(*) FROM contact_profiles WHERE mailbox_id = @mailboxId GROUP BY stage, nurture",
            new { mailboxId }, cancellationToken: ct));
        return rows.Select(r => ((Stage)r.Stage, (Nurture)r.Nurture, r.N)).ToList();
    }

    /// <summary>The coverage stored at the last recompute, or null before the first.</summary>
    public async Task<MailboxCoverage?> GetCoverageAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        MailboxCoverage? coverage = null;
        await PlainSql.QueryAsync(connection, null, "SELECT coverage, coverage_format FROM mailbox_coverage WHERE mailbox_id = @m", [("m", mailboxId)],
            r => coverage = StoredCoverageFormat.Deserialize((short)Db.Long(r, 1), r.GetString(0)), ct);
        return coverage;
    }

    // ---- overrides ----

    /// <summary>The user's per-address override: true = treat as automated, false = treat as a person, null = detect.</summary>
    public async Task SetAutomatedOverrideAsync(string mailboxId, string address, bool? automated, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        if (automated is null)
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM contact_overrides WHERE mailbox_id = @mailboxId AND address = @address", new { mailboxId, address }, cancellationToken: ct));
        else
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO contact_overrides (mailbox_id, address, automated) VALUES (@mailboxId, @address, @value)
                ON CONFLICT (mailbox_id, address) DO UPDATE SET automated = excluded.automated
                """, new { mailboxId, address, value = (short)(automated.Value ? 1 : 0) }, cancellationToken: ct));
    }

    public async Task<IReadOnlyDictionary<string, bool>> GetAutomatedOverridesAsync(string mailboxId, CancellationToken ct = default)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT address, automated FROM contact_overrides WHERE mailbox_id = @m";
        Db.Parameter(cmd, "m", mailboxId);
        var result = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetString(0)] = Db.Long(reader, 1) != 0;
        return result;
    }

    public Task EraseAsync(StoreTransaction tx, string mailboxId, CancellationToken ct) =>
        MailboxEraser.DeleteRowsAsync(tx, mailboxId, ct, "contact_profiles", "stage_history", "mailbox_coverage", "contact_overrides", "profile_state");

    /// <summary>Columns 0 and 1: the format number and the document. SQLite hands the UTF-8 text over as is.</summary>
    private static StoredProfile ReadProfile(DbDataReader reader)
    {
        var (format, document) = ReadDocument(reader);
        return StoredProfileFormat.Deserialize(format, document);
    }

    /// <summary>Columns 0 and 1: the profile's format and its UTF-8 document (PostgreSQL hands TEXT back as a string).</summary>
    private static (short Format, byte[] Document) ReadDocument(DbDataReader reader) =>
        ((short)Db.Long(reader, 0), reader is SqliteDataReader
            ? reader.GetFieldValue<byte[]>(1)
            : System.Text.Encoding.UTF8.GetBytes(reader.GetString(1)));
}
