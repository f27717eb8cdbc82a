using System.Diagnostics;
using MailRapport.Server.Import;
using MailRapport.Server.Storage;

// Imports every user folder under a maildir root in one process: first the header reading alone (what the Python
// baseline does), then the full import (dedup, owners, threads, SQLite writes) into a fresh database.
if (args.Length < 2) { Console.Error.WriteLine("usage: ImportBench MAILDIR DB"); return 2; }
var root = args[0];
var users = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToList();
var now = DateTimeOffset.UtcNow;

double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
if (args.Length > 2 && args[2] == "--io")
{
    var io = Stopwatch.StartNew();
    var cpu0 = Cpu();
    long bytes = 0;
    foreach (var user in users)
        foreach (var f in MailSources.Discover(user))
            MailSources.ReadMessages(f.Path, (data, _) => bytes += data.Length);
    Console.WriteLine($"bytes only: {bytes} bytes, {io.Elapsed.TotalSeconds:0.00} s wall, {Cpu() - cpu0:0.00} s cpu");
}
if (args.Length > 2 && args[2] == "--parse")
{
    var all = users.SelectMany(u => MailSources.Discover(u)).Select(f => (File.ReadAllBytes(f.Path), f.Folder)).ToList();
    for (int round = 0; round < 3; round++)
    {
        var sw = Stopwatch.StartNew();
        var c0 = Cpu();
        int ok = 0;
        foreach (var (bytes, folder) in all)
            if (MailParser.Parse(bytes, "x", folder, now, out _, out _) == ParseOutcome.Ok) ok++;
        Console.WriteLine($"parse only (in memory, round {round}): {ok} ok, {sw.Elapsed.TotalSeconds:0.00} s wall, {Cpu() - c0:0.00} s cpu");
    }
    var hb = Stopwatch.StartNew();
    foreach (var (bytes, _) in all) HeaderBlock.Parse(bytes);
    Console.WriteLine($"header block only: {hb.Elapsed.TotalSeconds:0.00} s");
    var al = Stopwatch.StartNew();
    var blocks = all.Select(a => HeaderBlock.Parse(a.Item1)).ToList();
    al.Restart();
    foreach (var b in blocks) { MailRapport.Core.EmailAddress.ParseList(b.To); MailRapport.Core.EmailAddress.ParseList(b.Cc); MailRapport.Core.EmailAddress.ParseList(b.Bcc); }
    Console.WriteLine($"address lists only: {al.Elapsed.TotalSeconds:0.00} s");
    al.Restart();
    foreach (var b in blocks) MailDate.TryParse(b.Date, now, out _);
    Console.WriteLine($"dates only: {al.Elapsed.TotalSeconds:0.00} s");
}
var readCpu = Cpu();
var read = Stopwatch.StartNew();
int files = 0, messages = 0, addresses = 0;
foreach (var user in users)
{
    var result = MailImporter.Read(new ImportRequest { Path = user, Now = now });
    files += result.Report.FilesRead;
    messages += result.Mails.Count;
    addresses += result.Mails.Sum(m => 1 + m.To.Count + m.Cc.Count + m.Bcc.Count);
}
read.Stop();
Console.WriteLine($"read headers: {users.Count} users, {files} files, {messages} messages, {addresses} addresses, {read.Elapsed.TotalSeconds:0.00} s wall, {Cpu() - readCpu:0.00} s cpu");

if (File.Exists(args[1])) File.Delete(args[1]);
var fullCpu = Cpu();
var full = Stopwatch.StartNew();
int stored = 0, duplicates = 0, broken = 0;
await using (var store = MailStore.OpenSqlite(args[1]))
{
    var importer = new MailImporter(store);
    foreach (var user in users)
    {
        var report = await importer.ImportAsync(new ImportRequest { Path = user, Now = now });
        stored += report.MessagesStored;
        duplicates += report.Duplicates;
        broken += report.BrokenDates + report.Malformed + report.NoSender;
    }
}
full.Stop();
Console.WriteLine($"full import: {stored} messages stored, {duplicates} duplicates dropped, {broken} broken, {full.Elapsed.TotalSeconds:0.00} s wall, {Cpu() - fullCpu:0.00} s cpu");
return 0;
