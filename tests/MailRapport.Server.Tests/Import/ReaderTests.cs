using MailRapport.Core;
using MailRapport.Server.Import;

namespace MailRapport.Server.Tests.Import;

public sealed class ReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    private static string Mail(string from, string to, string date, string subject, string? id = null, string extra = "") => $"""
        {(id is null ? "" : $"Message-ID: <{id}>\n")}Date: {date}
        From: {from}
        To: {to}
        Subject: {subject}
        {extra}X-Folder: whatever

        Body line.
        """;

    private static ImportPlan Plan(string path, params string[] owners)
    {
        var request = new ImportRequest { Path = path, Owners = owners, Now = Now };
        return ImportPlanner.Plan(MailImporter.Read(request), request);
    }

    [Fact]
    public void Enron_layout_drops_copies_with_their_own_ids_and_infers_the_owner()
    {
        using var dir = new TempFolder();
        var sent = Mail("me@corp.com", "ann@corp.com, bob@corp.com", "Mon, 4 Dec 2000 09:00:00 -0800 (PST)", "Budget", "1.sent@thyme");
        dir.Write("me-m/sent/1.", sent);
        dir.Write("me-m/_sent_mail/1.", sent.Replace("1.sent@thyme", "2.sent@thyme").Replace("To: ann@corp.com, bob@corp.com", "To: bob@corp.com,\n\tann@corp.com"));
        dir.Write("me-m/all_documents/7.", sent.Replace("1.sent@thyme", "3.sent@thyme"));
        dir.Write("me-m/sent/2.", Mail("me@corp.com", "ann@corp.com", "Mon, 4 Dec 2000 10:00:00 -0800", "Other", "4@thyme"));
        dir.Write("me-m/inbox/1.", Mail("ann@corp.com", "me@corp.com", "Mon, 4 Dec 2000 11:00:00 -0800", "RE: Budget", "5@thyme"));
        dir.Write("me-m/inbox/2.", Mail("ann@corp.com", "me@corp.com", "Mon, 4 Dec 2000 11:00:00 -0800", "RE: Budget", "5@thyme")); // same id

        var plan = Plan(Path.Combine(dir.Path, "me-m"));

        Assert.Equal(["me@corp.com"], plan.Report.Owners);
        Assert.Equal(2, plan.Report.DuplicatesBySignature);
        Assert.Equal(1, plan.Report.DuplicatesByMessageId);
        Assert.Equal(3, plan.Messages.Count);
        Assert.Equal("me-m", plan.Report.MailboxId);
        var budget = plan.Messages.Single(m => m.Timestamp.Hour == 17);
        Assert.Equal(Direction.Outgoing, budget.Direction);
        Assert.Equal(["ann@corp.com", "bob@corp.com"], budget.Counterparts.Select(c => c.Address).Order());
        var reply = plan.Messages.Single(m => m.Direction == Direction.Incoming);
        Assert.True(reply.IsReply);
        Assert.Equal(RecipientRole.To, reply.OwnerRole);
        Assert.Equal(new Counterpart("ann@corp.com", null, RecipientRole.From), reply.Counterparts[0]);
        Assert.Equal(budget.ConversationId, reply.ConversationId); // subject + shared correspondent
        Assert.NotEqual(budget.ConversationId, plan.Messages.Single(m => m.Timestamp.Hour == 18).ConversationId);
    }

    [Fact]
    public void Keys_are_stable_across_runs_and_folder_order()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        var text = Mail("me@corp.com", "ann@corp.com", "Mon, 4 Dec 2000 09:00:00 -0800", "Budget", "x1@thyme");
        a.Write("sent/1.", text);
        b.Write("all_documents/9.", text.Replace("x1@thyme", "x9@thyme"));
        Assert.Equal(Plan(a.Path, "me@corp.com").Messages.Single().Key, Plan(b.Path, "me@corp.com").Messages.Single().Key);
        Assert.Equal(Plan(a.Path).Messages.Single().Key, Plan(a.Path).Messages.Single().Key);
    }

    [Fact]
    public void Several_owner_addresses_are_inferred_from_several_sent_folders()
    {
        using var dir = new TempFolder();
        for (int i = 0; i < 3; i++)
        {
            dir.Write($"sent/{i}.", Mail("david.delainey@corp.com", $"p{i}@corp.com", $"Mon, {4 + i} Dec 2000 09:00:00 -0800", $"s{i}"));
            dir.Write($"sent_items/{i}.", Mail("w..delainey@corp.com", $"q{i}@corp.com", $"Mon, {4 + i} Dec 2001 09:00:00 -0800", $"t{i}"));
        }
        dir.Write("sent_items/9.", Mail("assistant@corp.com", "q@corp.com", "Mon, 4 Dec 2001 09:00:00 -0800", "for David"));
        var plan = Plan(dir.Path);
        Assert.Equal(["david.delainey@corp.com", "w..delainey@corp.com"], plan.Report.Owners);
        Assert.Equal(6, plan.Messages.Count(m => m.Direction == Direction.Outgoing));
    }

    [Fact]
    public void Given_owners_win_over_inference()
    {
        using var dir = new TempFolder();
        dir.Write("sent/1.", Mail("someone@corp.com", "p@corp.com", "Mon, 4 Dec 2000 09:00:00 -0800", "s"));
        var plan = Plan(dir.Path, "Me@Corp.com");
        Assert.Equal(["me@corp.com"], plan.Report.Owners);
        Assert.Equal("given", plan.Report.OwnerSource);
        Assert.Equal(Direction.Incoming, plan.Messages.Single().Direction);
        Assert.Equal(RecipientRole.Bcc, plan.Messages.Single().OwnerRole); // not listed: blind copy
    }

    [Fact]
    public void Standard_maildir_reads_cur_and_new_and_skips_tmp()
    {
        using var dir = new TempFolder();
        dir.Write("Maildir/cur/1700000000.M1P1.host:2,S", Mail("a@x.com", "me@x.com", "Tue, 2 Jan 2001 10:00:00 +0000", "one"));
        dir.Write("Maildir/new/1700000001.M2P2.host", Mail("b@x.com", "me@x.com", "Tue, 2 Jan 2001 11:00:00 +0000", "two"));
        dir.Write("Maildir/tmp/1700000002.M3P3.host", Mail("c@x.com", "me@x.com", "Tue, 2 Jan 2001 12:00:00 +0000", "three"));
        dir.Write("Maildir/.Sent/cur/1.host:2,S", Mail("me@x.com", "a@x.com", "Tue, 2 Jan 2001 13:00:00 +0000", "hidden folder"));
        var plan = Plan(Path.Combine(dir.Path, "Maildir"), "me@x.com");
        Assert.Equal(["a@x.com", "b@x.com"], plan.Messages.Select(m => m.From).Order());
        Assert.Equal(2, plan.Report.FilesRead);
    }

    [Fact]
    public void Mboxo_and_mboxrd_split_on_from_lines_after_a_blank_line()
    {
        using var dir = new TempFolder();
        var mbox = """
            From a@x.com Tue Jan  2 10:00:00 2001
            From: a@x.com
            To: me@x.com
            Date: Tue, 2 Jan 2001 10:00:00 +0000
            Subject: first

            Hello
            >From the mboxrd quoting
            >>From deeper quoting
            From the unquoted mboxo body line (no blank line before it)

            From b@x.com Tue Jan  2 11:00:00 2001
            From: b@x.com
            To: me@x.com
            Date: Tue, 2 Jan 2001 11:00:00 +0000
            Subject: second

            Bye
            """;
        var path = dir.Write("archive.mbox", mbox);
        var plan = Plan(path, "me@x.com");
        Assert.Equal(2, plan.Report.MessagesRead);
        Assert.Equal(["a@x.com", "b@x.com"], plan.Messages.Select(m => m.From));
        Assert.Equal("archive", plan.Report.MailboxId);
    }

    [Fact]
    public void Mbox_with_crlf_and_no_extension_is_detected_by_content()
    {
        using var dir = new TempFolder();
        var text = "From x Tue Jan  2 10:00:00 2001\r\nFrom: a@x.com\r\nDate: Tue, 2 Jan 2001 10:00:00 +0000\r\n\r\nbody\r\n\r\nFrom y Tue Jan  2 10:00:00 2001\r\nFrom: b@x.com\r\nDate: Tue, 2 Jan 2001 11:00:00 +0000\r\n\r\nbody\r\n";
        dir.WriteBytes("Inbox", System.Text.Encoding.ASCII.GetBytes(text));
        var plan = Plan(dir.Path, "me@x.com");
        Assert.Equal(2, plan.Messages.Count);
    }

    [Fact]
    public void Single_eml_and_a_folder_of_them()
    {
        using var dir = new TempFolder();
        var one = dir.Write("mail/one.eml", Mail("a@x.com", "me@x.com", "Tue, 2 Jan 2001 10:00:00 +0000", "one"));
        dir.Write("mail/two.eml", Mail("b@x.com", "me@x.com", "Tue, 2 Jan 2001 11:00:00 +0000", "two"));
        Assert.Single(Plan(one, "me@x.com").Messages);
        Assert.Equal(2, Plan(Path.Combine(dir.Path, "mail"), "me@x.com").Messages.Count);
    }

    [Fact]
    public void Malformed_files_are_counted_and_the_import_goes_on()
    {
        using var dir = new TempFolder();
        dir.Write("inbox/1.", Mail("a@x.com", "me@x.com", "Tue, 2 Jan 2001 10:00:00 +0000", "good"));
        dir.WriteBytes("inbox/2.", [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0x02]);
        dir.Write("inbox/3.", "");
        dir.Write("inbox/4.", "To: me@x.com\nDate: Tue, 2 Jan 2001 10:00:00 +0000\n\nno sender");
        dir.Write("inbox/5.", Mail("a@x.com", "me@x.com", "Mon, 31 Dec 1979 16:00:00 -0800 (PST)", "placeholder"));
        dir.Write("inbox/6.", Mail("a@x.com", "me@x.com", "the day after tomorrow", "unreadable"));
        dir.Write("inbox/7.", "From: a@x.com\nTo: me@x.com\nSubject: no date\n\n");
        dir.Write("inbox/8.", "From: a@x.com\nDate: Tue, 2 Jan 2001 12:00:00 +0000\nX-Long: " + new string('x', 2_000_000) + "\n\n");
        var plan = Plan(dir.Path, "me@x.com");
        var r = plan.Report;
        Assert.Equal(8, r.FilesRead);
        Assert.Equal(2, r.Messages());
        Assert.Equal(2, r.Malformed);
        Assert.Equal(1, r.NoSender);
        Assert.Equal(1, r.DatesImplausible);
        Assert.Equal(1, r.DatesUnparseable);
        Assert.Equal(1, r.DatesMissing);
        Assert.NotEmpty(r.Examples);
    }

    [Fact]
    public void Symlink_loops_are_not_followed()
    {
        using var dir = new TempFolder();
        dir.Write("u/inbox/1.", Mail("a@x.com", "me@x.com", "Tue, 2 Jan 2001 10:00:00 +0000", "one"));
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "u", "inbox", "loop"), Path.Combine(dir.Path, "u"));
        var plan = Plan(Path.Combine(dir.Path, "u"), "me@x.com");
        Assert.Equal(1, plan.Report.FilesRead);
    }

    [Fact]
    public void Late_outlier_dates_count_as_broken()
    {
        using var dir = new TempFolder();
        for (int i = 0; i < 30; i++)
            dir.Write($"inbox/{i}.", Mail("a@x.com", "me@x.com", $"Tue, {1 + i % 28} Jan 2001 10:00:00 +0000", $"m{i}"));
        dir.Write("inbox/99.", Mail("a@x.com", "me@x.com", "Thu, 24 Dec 2020 15:36:06 -0800 (PST)", "clock error"));
        var plan = Plan(dir.Path, "me@x.com");
        Assert.Equal(30, plan.Messages.Count);
        Assert.Equal(1, plan.Report.DatesImplausible);
    }

    [Fact]
    public void References_give_the_root_as_conversation()
    {
        using var dir = new TempFolder();
        dir.Write("inbox/1.", Mail("a@x.com", "me@x.com", "Tue, 2 Jan 2001 10:00:00 +0000", "Plan", "root@x"));
        dir.Write("sent/1.", Mail("me@x.com", "a@x.com", "Tue, 2 Jan 2001 11:00:00 +0000", "Totally different subject", "r1@x",
            "In-Reply-To: <root@x>\nReferences: <root@x>\n"));
        dir.Write("inbox/2.", Mail("b@x.com", "me@x.com", "Tue, 2 Jan 2001 12:00:00 +0000", "Re: Plan", "r2@x",
            "References: <Root@x> <r1@x>\n"));
        var plan = Plan(dir.Path, "me@x.com");
        Assert.All(plan.Messages, m => Assert.Equal("mid:root@x", m.ConversationId));
        Assert.Equal([false, true, true], plan.Messages.OrderBy(m => m.Timestamp).Select(m => m.IsReply));
    }
}

internal static class ReportExtensions
{
    public static int Messages(this ImportReport r) => r.MessagesStored;
}
