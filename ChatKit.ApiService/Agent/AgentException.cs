using ChatKit.ApiService.Infrastructure;

namespace ChatKit.ApiService.Agent;

public enum AgentFailure
{
    /// <summary>Down, refusing, failing or answering nonsense: 503.</summary>
    Unavailable,
    /// <summary>Too slow: 504.</summary>
    Timeout,
}

/// <summary>A turn or task call the agent could not complete. The message is safe to show to the user.</summary>
public sealed class AgentException(AgentFailure failure, string code, string message, bool retryable = true, Exception? inner = null)
    : ApiError(failure == AgentFailure.Timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status503ServiceUnavailable, code, message, inner)
{
    public override bool Retryable { get; } = retryable;

    public static AgentException Unreachable(Exception inner) => new(AgentFailure.Unavailable, "agent_unavailable",
        "The assistant is unavailable right now. Your message was saved; please try again in a moment.", true, inner);

    public static AgentException TimedOut() => new(AgentFailure.Timeout, "agent_timeout",
        "The assistant took too long to answer. Your message was saved; please try again.");

    public static AgentException BadStatus(int status) => new(AgentFailure.Unavailable, "agent_unavailable",
        $"The assistant could not answer (status {status}). Your message was saved; please try again in a moment.");

    /// <summary>A task call (the @-mention search, a task list's button) that the agent did not answer.</summary>
    public static AgentException TasksUnavailable(AgentFailure failure, Exception? inner = null) => new(failure,
        failure == AgentFailure.Timeout ? "agent_timeout" : "agent_unavailable", "Tasks cannot be reached right now; please try again.", true, inner);

    public static AgentException BrokenStream(string detail, Exception? inner = null) => new(AgentFailure.Unavailable, "agent_unavailable",
        $"The assistant's answer broke off ({detail}). Your message was saved; please try again.", true, inner);
}
