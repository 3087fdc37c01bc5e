using Microsoft.Extensions.Options;

namespace Mesh.ServiceDefaults.Events;

/// <summary>Refuses a decision retention that a redelivered event could outlive.</summary>
public sealed class EventRetentionOptionsValidator : IValidateOptions<EventRetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, EventRetentionOptions options) =>
        options.DecisionRetention >= options.RedeliveryHorizon + options.ClockSkewAllowance
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Events:DecisionRetention ({options.DecisionRetention}) must be at least Events:RedeliveryHorizon " +
                $"({options.RedeliveryHorizon}) plus Events:ClockSkewAllowance ({options.ClockSkewAllowance}): " +
                "otherwise an event redelivered near the horizon finds its decision expired and is applied twice.");
}
