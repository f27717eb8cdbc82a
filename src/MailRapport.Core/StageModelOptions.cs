namespace MailRapport.Core;

/// <summary>Every threshold of the stage model, in one place. Defaults are documented in docs/stage-model.md.</summary>
public sealed class StageModelOptions
{
}
