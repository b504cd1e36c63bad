using System.ComponentModel.DataAnnotations;

namespace ChatKit.ApiService.Agent;

/// <summary>How the API service reaches the agent (configuration section <c>ChatKit:Agent</c>).</summary>
public sealed class AgentOptions
{
    public const string Section = "ChatKit:Agent";

    /// <summary>The agent's base address; <c>http://agent</c> resolves through Aspire service discovery.</summary>
    [Required]
    public Uri BaseAddress { get; set; } = new("http://agent");

    /// <summary>Time to the agent's response headers; beyond it the turn fails with 504.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest silence between two events of a streaming answer; beyond it the turn fails with 504.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Timeout of the task API calls (entity search, completing a task from a widget) and the longest silence of the
    /// agent on a passed-through <c>/api/tasks</c> request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan TaskApiTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
