namespace ChatKit.Agent.Models.Local;

/// <summary>What the user asked the local model for.</summary>
abstract record Intent;

sealed record Greeting : Intent;
sealed record Thanks : Intent;
sealed record Farewell : Intent;
sealed record Help : Intent;
sealed record NotUnderstood : Intent;
sealed record OtherUsersTasks : Intent;
sealed record Answer(bool Yes) : Intent;
/// <summary>A bare choice such as "the second one", "both" or "2" (meaningful only after "which one?").</summary>
sealed record Choice(TaskRef Target) : Intent;

sealed record AddTasks(IReadOnlyList<NewTask> Tasks) : Intent;
sealed record ListTasks(string Filter, bool CountOnly = false) : Intent;
sealed record FindTasks(string Query) : Intent;
sealed record CompleteAll : Intent;
sealed record DeleteCompleted : Intent;
sealed record DeleteAll(bool Confirmed = false) : Intent;

/// <summary>An action on one or more existing tasks, named by the user.</summary>
abstract record TaskAction(TaskRef Target) : Intent
{
    public abstract string Tool { get; }
    public abstract TaskAction With(TaskRef target);
}

sealed record Complete(TaskRef Target) : TaskAction(Target)
{
    public override string Tool => "complete_task";
    public override TaskAction With(TaskRef target) => this with { Target = target };
}

sealed record Reopen(TaskRef Target) : TaskAction(Target)
{
    public override string Tool => "reopen_task";
    public override TaskAction With(TaskRef target) => this with { Target = target };
}

sealed record Delete(TaskRef Target) : TaskAction(Target)
{
    public override string Tool => "delete_task";
    public override TaskAction With(TaskRef target) => this with { Target = target };
}

sealed record Rename(TaskRef Target, string NewTitle) : TaskAction(Target)
{
    public override string Tool => "update_task";
    public override TaskAction With(TaskRef target) => this with { Target = target };
}

sealed record Describe(TaskRef Target, string Description) : TaskAction(Target)
{
    public override string Tool => "update_task";
    public override TaskAction With(TaskRef target) => this with { Target = target };
}

sealed record NewTask(string Title, string? Description = null);

/// <summary>How the user named the task(s) an action is about.</summary>
abstract record TaskRef;
/// <summary>Words of a title: "the meeting task".</summary>
sealed record ByTitle(string Phrase) : TaskRef;
/// <summary>Positions in the list shown last: "task 3", "the first one"; 0 stands for "the last one".</summary>
sealed record ByPosition(IReadOnlyList<int> Positions) : TaskRef;
/// <summary>Known ids: @-tagged tasks, or the candidates the user picked.</summary>
sealed record ByIds(IReadOnlyList<long> Ids) : TaskRef;
/// <summary>"it", "that one": the task the conversation was just about.</summary>
sealed record ThatOne : TaskRef;
/// <summary>"both", "all of them": every task offered in the question just asked.</summary>
sealed record AllOfThem : TaskRef;
