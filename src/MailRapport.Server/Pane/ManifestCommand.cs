using System.CommandLine;

namespace MailRapport.Server.Pane;

/// <summary>`mailrapport manifest --deployment FILE --out DIR`: writes both add-in manifests for one deployment.</summary>
public static class ManifestCommand
{
    public static Command Create()
    {
        var deployment = new Option<FileInfo>("--deployment")
        {
            Description = "Deployment settings (JSON), e.g. manifest/deployments/local.json.",
            Required = true,
        };
        var outDir = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder to write manifest.xml, manifest.json (with its icons) and the app package zip into.",
            Required = true,
        };
        var command = new Command("manifest", "Write the Outlook add-in manifests (XML and unified JSON) for a deployment.")
        {
            deployment, outDir,
        };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(deployment)!;
            var dir = parse.GetValue(outDir)!;
            DeploymentSettings settings;
            try
            {
                settings = DeploymentSettings.Parse(await File.ReadAllTextAsync(file.FullName, ct), file.Name);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
            await ManifestWriter.WriteAsync(settings, dir.FullName, ct);
            Console.WriteLine($"Wrote {ManifestWriter.XmlFileName}, {ManifestWriter.JsonFileName} and {ManifestWriter.PackageFileName} for '{settings.Deployment}' to {dir.FullName}");
            return 0;
        });
        return command;
    }
}
