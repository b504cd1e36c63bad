namespace ChatKit.Agent.Contracts;

public static class HistoryWindow
{
    /// <summary>
    /// The newest history entries a turn works with: what the API service reads and sends to the agent
    /// (<c>ChatKit:Conversations:HistoryLimit</c>) and what the agent puts in the model's prompt
    /// (<c>Agent:Turns:MaxHistoryMessages</c>). One number, so the API reads nothing the agent would drop.
    /// </summary>
    public const int DefaultMessages = 40;
}
