namespace MailRapport.Server.Storage;

/// <summary>
/// Numbered schema steps, applied in order at start. The SQL is the common subset of SQLite and PostgreSQL
/// (TEXT, BIGINT, INTEGER, SMALLINT, DOUBLE PRECISION; ON CONFLICT upserts), so both stores behave alike.
/// Times are stored as Unix milliseconds (UTC). Append new steps; never edit a released one. Which store owns
/// which table: docs/architecture.md.
/// </summary>
internal static class Schema
{
    public static readonly IReadOnlyList<(int Version, string Sql)> Steps =
    [
        (1, """
            CREATE TABLE mailboxes (
                mailbox_id TEXT NOT NULL PRIMARY KEY,
                owner_addresses TEXT NOT NULL,
                display_name TEXT NULL,
                source TEXT NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE TABLE messages (
                mailbox_id TEXT NOT NULL,
                message_key TEXT NOT NULL,
                sent_at BIGINT NOT NULL,
                direction SMALLINT NOT NULL,
                from_address TEXT NOT NULL,
                from_name TEXT NULL,
                counterparts TEXT NOT NULL,
                recipient_count INTEGER NOT NULL,
                owner_role SMALLINT NOT NULL,
                conversation_id TEXT NULL,
                is_reply SMALLINT NOT NULL,
                markers INTEGER NOT NULL,
                PRIMARY KEY (mailbox_id, message_key)
            );
            CREATE INDEX ix_messages_time ON messages (mailbox_id, sent_at);
            CREATE TABLE meetings (
                mailbox_id TEXT NOT NULL,
                meeting_key TEXT NOT NULL,
                start_at BIGINT NOT NULL,
                end_at BIGINT NOT NULL,
                organizer TEXT NOT NULL,
                organizer_name TEXT NULL,
                attendees TEXT NOT NULL,
                is_cancelled SMALLINT NOT NULL,
                is_recurring SMALLINT NOT NULL,
                owner_response SMALLINT NOT NULL,
                PRIMARY KEY (mailbox_id, meeting_key)
            );
            CREATE INDEX ix_meetings_time ON meetings (mailbox_id, start_at);
            CREATE TABLE contact_profiles (
                mailbox_id TEXT NOT NULL,
                address TEXT NOT NULL,
                display_name TEXT NULL,
                stage SMALLINT NOT NULL,
                nurture SMALLINT NOT NULL,
                flags INTEGER NOT NULL,
                strength INTEGER NOT NULL,
                profile TEXT NOT NULL,
                computed_at BIGINT NOT NULL,
                PRIMARY KEY (mailbox_id, address)
            );
            CREATE TABLE contact_overrides (
                mailbox_id TEXT NOT NULL,
                address TEXT NOT NULL,
                automated SMALLINT NOT NULL,
                PRIMARY KEY (mailbox_id, address)
            );
            """),
        (2, """
            CREATE TABLE graph_sync_state (
                mailbox_id TEXT NOT NULL,
                scope TEXT NOT NULL,
                next_link TEXT NULL,
                delta_link TEXT NULL,
                sync_round INTEGER NOT NULL,
                full_sync SMALLINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (mailbox_id, scope)
            );
            CREATE TABLE graph_items (
                mailbox_id TEXT NOT NULL,
                scope TEXT NOT NULL,
                item_id TEXT NOT NULL,
                kind SMALLINT NOT NULL,
                item_key TEXT NOT NULL,
                sync_round INTEGER NOT NULL,
                PRIMARY KEY (mailbox_id, scope, item_id)
            );
            CREATE INDEX ix_graph_items_key ON graph_items (mailbox_id, kind, item_key);
            """),
        (3, """
            CREATE TABLE mailbox_registry (
                mailbox_id TEXT NOT NULL PRIMARY KEY,
                tenant_id TEXT NULL,
                object_id TEXT NULL,
                origin TEXT NOT NULL,
                enrolled_at BIGINT NOT NULL,
                scan_requested_at BIGINT NULL,
                scan_started_at BIGINT NULL,
                scan_finished_at BIGINT NULL,
                scan_error TEXT NULL,
                scan_running SMALLINT NOT NULL
            );
            CREATE UNIQUE INDEX ux_mailbox_registry_user ON mailbox_registry (tenant_id, object_id);
            CREATE TABLE stage_history (
                mailbox_id TEXT NOT NULL,
                address TEXT NOT NULL,
                changed_at BIGINT NOT NULL,
                stage SMALLINT NOT NULL,
                nurture SMALLINT NOT NULL,
                PRIMARY KEY (mailbox_id, address, changed_at)
            );
            CREATE INDEX ix_contact_profiles_rank ON contact_profiles (mailbox_id, strength, address);
            """),
        // Scan queue state, changed only by conditional UPDATEs (Scheduling/MailboxRegistry): one queued scan at most,
        // and one running scan held by a lease (owner + heartbeat) that another host may take over once it lapses.
        (4, """
            ALTER TABLE mailbox_registry ADD COLUMN scan_queued SMALLINT NOT NULL DEFAULT 0;
            ALTER TABLE mailbox_registry ADD COLUMN scan_owner TEXT NULL;
            ALTER TABLE mailbox_registry ADD COLUMN scan_heartbeat_at BIGINT NULL;
            ALTER TABLE mailbox_registry ADD COLUMN scan_error_permanent SMALLINT NOT NULL DEFAULT 0;
            ALTER TABLE mailbox_registry ADD COLUMN scan_forced SMALLINT NOT NULL DEFAULT 0;
            """),
        // What each mailbox holds month by month (received, sent, calendar), as the model judged it at the last recompute.
        (5, """
            CREATE TABLE mailbox_coverage (
                mailbox_id TEXT NOT NULL PRIMARY KEY,
                coverage TEXT NOT NULL,
                computed_at BIGINT NOT NULL
            );
            """),
        // The stored profile document's format (Storage/StoredProfile.cs); rows written before it are format 1.
        (6, """
            ALTER TABLE contact_profiles ADD COLUMN profile_format SMALLINT NOT NULL DEFAULT 1;
            """),
        // The user's answers to "Is this right?" (FeedbackStore), one per contact, with the stage they were shown.
        (7, """
            CREATE TABLE contact_feedback (
                mailbox_id TEXT NOT NULL,
                address TEXT NOT NULL,
                answer SMALLINT NOT NULL,
                shown_stage SMALLINT NOT NULL,
                shown_automated SMALLINT NOT NULL,
                answered_at BIGINT NOT NULL,
                PRIMARY KEY (mailbox_id, address)
            );
            """),
        // Delegated Graph access (Delegated/): how each mailbox is read when not by the app (its grant, the MSAL token
        // cache encrypted with Data Protection) and the Data Protection key ring every host shares.
        (8, """
            CREATE TABLE mailbox_grants (
                mailbox_id TEXT NOT NULL PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                object_id TEXT NOT NULL,
                state TEXT NOT NULL,
                reason TEXT NULL,
                changed_at BIGINT NOT NULL,
                last_attempt_at BIGINT NULL,
                token_cache TEXT NULL
            );
            CREATE TABLE data_protection_keys (
                friendly_name TEXT NOT NULL PRIMARY KEY,
                xml TEXT NOT NULL,
                created_at BIGINT NOT NULL
            );
            """),
        // Graph change-notification subscriptions, one per mailbox and resource (Notifications/SubscriptionStore): the
        // client state only as its SHA-256, a claim (owner + until) so one host acts on a row at a time; and the
        // subscriptions of erased mailboxes still to be deleted at Graph (no mailbox id: only Graph's opaque ids).
        (9, """
            CREATE TABLE graph_subscriptions (
                mailbox_id TEXT NOT NULL,
                resource_kind TEXT NOT NULL,
                subscription_id TEXT NULL,
                client_state_hash TEXT NULL,
                expires_at BIGINT NULL,
                claimed_by TEXT NULL,
                claimed_until BIGINT NULL,
                created_at BIGINT NOT NULL,
                renewed_at BIGINT NULL,
                PRIMARY KEY (mailbox_id, resource_kind)
            );
            CREATE UNIQUE INDEX ux_graph_subscriptions_id ON graph_subscriptions (subscription_id);
            CREATE INDEX ix_graph_subscriptions_expiry ON graph_subscriptions (expires_at);
            CREATE TABLE graph_subscription_removals (
                subscription_id TEXT NOT NULL PRIMARY KEY,
                requested_at BIGINT NOT NULL
            );
            """),
        // The mailbox's folder tree as mailFolders/delta last reported it, and the ids of the well-known folders the
        // scan skips (null: the mailbox has none), so a rescan asks only for changes (GraphSyncStore.Folders.cs).
        (10, """
            CREATE TABLE graph_folders (
                mailbox_id TEXT NOT NULL,
                folder_id TEXT NOT NULL,
                parent_id TEXT NULL,
                display_name TEXT NULL,
                is_hidden SMALLINT NOT NULL,
                PRIMARY KEY (mailbox_id, folder_id)
            );
            CREATE TABLE graph_well_known_folders (
                mailbox_id TEXT NOT NULL,
                well_known_name TEXT NOT NULL,
                folder_id TEXT NULL,
                PRIMARY KEY (mailbox_id, well_known_name)
            );
            """),
        // Incremental recompute (docs/decisions/019-incremental-recompute.md): the mailbox's change number and the
        // correspondents each change touched (InteractionStore); the sequence and instants the stored profiles stand at
        // (ProfileStore); the stored coverage's format (Storage/StoredCoverage.cs; rows before it are format 1).
        (11, """
            CREATE TABLE interaction_sequence (
                mailbox_id TEXT NOT NULL PRIMARY KEY,
                seq BIGINT NOT NULL
            );
            CREATE TABLE correspondent_changes (
                mailbox_id TEXT NOT NULL,
                address TEXT NOT NULL,
                changed_seq BIGINT NOT NULL,
                PRIMARY KEY (mailbox_id, address)
            );
            CREATE INDEX ix_correspondent_changes_seq ON correspondent_changes (mailbox_id, changed_seq);
            CREATE TABLE profile_state (
                mailbox_id TEXT NOT NULL PRIMARY KEY,
                computed_seq BIGINT NOT NULL,
                computed_at BIGINT NOT NULL,
                full_at BIGINT NOT NULL,
                facts TEXT NOT NULL
            );
            ALTER TABLE mailbox_coverage ADD COLUMN coverage_format SMALLINT NOT NULL DEFAULT 1;
            """),
        // A write touching many correspondents marks the whole mailbox changed (docs/decisions/020-all-changed-mark.md).
        (12, """
            ALTER TABLE interaction_sequence ADD COLUMN all_changed_seq BIGINT NOT NULL DEFAULT 0;
            """),
        // A scan asked for while one runs (Scheduling/MailboxRegistry.TryRequestRescanAsync): the running scan's owner
        // reads it when it ends and runs once more at once, instead of the request waiting Scheduling:BusyRetrySeconds.
        (14, """
            ALTER TABLE mailbox_registry ADD COLUMN scan_rescan SMALLINT NOT NULL DEFAULT 0;
            """),
        // An erased mailbox's subscriptions are deleted at Graph with its own delegated token (docs/decisions/023): a
        // removal names its mailbox and when it lapses anyway, and the mailbox's grant is kept, marked erased, until then.
        (15, """
            ALTER TABLE graph_subscription_removals ADD COLUMN mailbox_id TEXT NULL;
            ALTER TABLE graph_subscription_removals ADD COLUMN expires_at BIGINT NULL;
            ALTER TABLE mailbox_grants ADD COLUMN erased_at BIGINT NULL;
            """),
    ];
}
