using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MailRapport.Server.Hosting;

/// <summary>
/// Every options class is bound from its section and checked at start, before anything reads it: data annotations
/// and <see cref="IValidatableObject"/> here, rules that need other settings in an <see cref="IValidateOptions{T}"/>
/// of their own. A failure stops the service or the command with one line naming the setting.
/// </summary>
public static class ConfigurationCheck
{
    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/>, checked by its annotations at start.</summary>
    public static OptionsBuilder<T> AddCheckedOptions<T>(this IServiceCollection services, string section) where T : class
    {
        var builder = services.AddOptions<T>().BindConfiguration(section);
        services.AddSingleton<IValidateOptions<T>>(new AnnotationsValidator<T>(builder.Name, section));
        return builder.ValidateOnStart();
    }

    /// <summary>
    /// Checks every option registered with ValidateOnStart. Null when all are valid; otherwise the one line that says
    /// which settings are wrong and how, so the host can stop with that and no trace.
    /// </summary>
    public static string? ConfigurationProblem(this IHost host) => host.CheckConfiguration()?.Line;

    /// <summary>Checks every option registered with ValidateOnStart; null when all are valid.</summary>
    public static ConfigurationFailure? CheckConfiguration(this IHost host)
    {
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
            return null;
        }
        catch (Exception e) when (Failures(e) is { Count: > 0 } failures)
        {
            var messages = failures.SelectMany(f => f.Messages).Select(m => m.Trim()).Distinct().ToList();
            return new ConfigurationFailure("Configuration is not valid: " + string.Join(" ", messages), messages,
                [.. failures.Select(f => f.Options).OfType<Type>().Distinct()]);
        }
    }

    private static List<(Type? Options, IEnumerable<string> Messages)> Failures(Exception e) => e switch
    {
        OptionsValidationException v => [(v.OptionsType, v.Failures)],
        AggregateException a when a.InnerExceptions.All(i => Failures(i).Count > 0) => [.. a.InnerExceptions.SelectMany(Failures)],
        // The binder refuses a value it cannot convert ("Failed to convert configuration value at 'Service:Mode' ...").
        InvalidOperationException { Source: "Microsoft.Extensions.Configuration.Binder" } b => [(null, [b.Message])],
        _ => [],
    };

    /// <summary>
    /// Binds and checks a section the composition itself depends on (which mode, hence which registrations), before
    /// it is used. Null when it is not valid: the caller composes with the defaults, which never run, because
    /// <see cref="ConfigurationProblem"/> then reports the same failure and the host stops.
    /// </summary>
    public static T? BindChecked<T>(IConfiguration configuration, string section) where T : class, new()
    {
        var options = new T();
        try { configuration.GetSection(section).Bind(options); }
        catch (InvalidOperationException) { return null; }
        return new AnnotationsValidator<T>(Options.DefaultName, section).Validate(Options.DefaultName, options).Failed ? null : options;
    }

    /// <summary>Data annotations; a message that does not name its setting gets "Section:Member: " in front.</summary>
    private sealed class AnnotationsValidator<T>(string? name, string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && name != optionsName) return ValidateOptionsResult.Skip;
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
                return ValidateOptionsResult.Success;
            return ValidateOptionsResult.Fail(results.Select(r => r.ErrorMessage is { } message && message.Contains(section + ":", StringComparison.Ordinal)
                ? message
                : $"{section}:{string.Join(", ", r.MemberNames)}: {r.ErrorMessage ?? "not valid."}"));
        }
    }
}

/// <summary>What is wrong with the configuration: one line for people, the messages and the options classes they concern.</summary>
public sealed record ConfigurationFailure(string Line, IReadOnlyList<string> Messages, IReadOnlyList<Type> Options);
