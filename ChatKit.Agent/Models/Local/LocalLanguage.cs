using System.Text.RegularExpressions;

namespace ChatKit.Agent.Models.Local;

/// <summary>
/// The local model's understanding of English: everyday to-do requests mapped to an <see cref="Intent"/> by
/// ordered patterns. Titles keep the user's spelling and case.
/// </summary>
static class LocalLanguage
{
    const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    static Regex R(string pattern) => new(pattern, Options, TimeSpan.FromSeconds(1));

    static readonly Regex LeadingFiller = R(@"^(?:please|pls|can you|could you|would you|will you|kindly|hey|hi|hello|ok|okay|so|and|also|now|then|just|oh|um|well|actually|i want you to|i'd like you to|i would like you to|i want to|i'd like to|i would like to|let's|lets|go ahead and|help me)\b[\s,]*");
    static readonly Regex TrailingFiller = R(@"[\s,]*\b(?:please|pls|for me|thanks|thank you|thx|now|too|as well)$");

    static readonly Regex Yes = R(@"^(?:yes|yeah|yep|yup|sure|ok|okay|confirm|confirmed|do it|go ahead|please do|absolutely|of course|correct|y)(?:[\s,]+(?:please|do it|go ahead|delete them|delete everything|i'?m sure))*$");
    static readonly Regex No = R(@"^(?:no|nope|nah|cancel|stop|never ?mind|don'?t|do not|n|forget it|keep them|no thanks?)(?:[\s,]+(?:thanks|thank you|keep them|don'?t))*$");
    static readonly Regex Hello = R(@"^(?:hi|hello|hey|hey there|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening)|hi there|hello there)$");
    static readonly Regex ThankYou = R(@"^(?:thanks|thank you|thx|ty|cheers|great|awesome|perfect|cool|nice|thanks a lot|thank you so much|great thanks|that'?s great)$");
    static readonly Regex Bye = R(@"^(?:bye|goodbye|good bye|see you|see ya|good night|later|cya)$");
    static readonly Regex HelpRequest = R(@"^(?:help|\?|what can you do|what do you do|what are you|who are you|how does (?:this|it) work|how do i use (?:this|you)|what can i (?:say|ask|do)|commands|what are my options|how can you help(?: me)?)$");

    static readonly Regex OtherUsers = R(@"\b(?:other|another|different) (?:users?|people|person|accounts?)\b|\b(?:of|for|from|belonging to|owned by) (?:the )?(?:user|account)\b|\buser [\w@.-]+|\b(?:everyone|everybody|all users|someone else|somebody else)\b|\b(?!my\b|our\b)\w+'s (?:tasks|list|todos|to-?do list)\b");

    static readonly string Remove = @"(?:delete|remove|clear|clean up|clean out|get rid of|erase|purge|drop|trash|wipe|scrap|discard)";
    static readonly string DoneWords = @"(?:completed|complete|done|finished|checked off|ticked off)";
    static readonly Regex RemoveCompleted = R($@"^{Remove}\b.*\b{DoneWords}\b");
    static readonly Regex RemoveEverything = R($@"^(?:{Remove}\s+(?:all|everything|every task|every single task|all (?:of )?(?:my |the )?(?:tasks|todos|items)|(?:my|the) (?:whole|entire) list|my list|the list)\b|^(?:empty|reset) (?:my|the) list\b|^start over$)");
    static readonly Regex CompleteEverything = R(@"^(?:(?:complete|finish|check off|tick off)\s+(?:all|everything|every task)\b|mark (?:all|everything|every task)(?: (?:of )?(?:my |the )?tasks)? (?:as )?(?:done|complete|completed|finished)$|i(?:'ve| have)? (?:done|finished|completed) (?:everything|all (?:of )?(?:my|the) tasks)$)");

    static readonly Regex DescribePattern = R(@"^(?:add|set|put|write|change|update|edit)\s+(?:a |an |the )?(?:description|note|notes|details?)\s+(?:of|for|to|on)\s+(?<target>.+?)\s*(?::|\bto\b|\bsaying\b|\bthat says\b|\bas\b)\s*(?<value>.+)$|^describe\s+(?<target>.+?)\s+as\s+(?<value>.+)$");
    static readonly Regex RenamePattern = R(@"^(?:rename|retitle)\s+(?<target>.+?)\s+(?:to|as|into)\s+(?<value>.+)$|^(?:change|update|edit|modify|set)\s+(?:the\s+)?(?:title|name)\s+of\s+(?<target>.+?)\s+to\s+(?<value>.+)$|^(?:change|update|edit|modify)\s+(?<target>.+?)\s+to\s+(?<value>.+)$");
    static readonly Regex ReopenPattern = R(@"^(?:reopen|re-open|uncheck|untick|unmark|uncomplete|un-complete|restore)\s+(?<target>.+)$|^mark\s+(?<target>.+?)\s+as\s+(?:not done|not complete|not completed|not finished|undone|incomplete|unfinished|pending|open|to ?do)$|^i (?:didn'?t|did not|haven'?t|have not) (?:actually |really )?(?:finish|finished|complete|completed|do|done)\s+(?<target>.+?)(?: yet| after all)?$");
    static readonly Regex CompletePattern = R(@"^(?:mark|set|flag)\s+(?<target>.+?)\s+(?:as\s+)?(?:done|complete|completed|finished|checked)$|^(?:complete|finish|check off|tick off|cross off|close|resolve|accomplish)\s+(?<target>.+)$|^(?:i(?:'ve| have)?|we(?:'ve| have)?)\s+(?:just\s+|already\s+|finally\s+)?(?:finished|completed|done|did|accomplished)\s+(?:with\s+)?(?<target>.+)$|^(?:i'?m|i am)\s+(?:done|finished)\s+with\s+(?<target>.+)$|^(?:done with|finished|completed)\s+(?<target>.+)$|^check\s+(?<target>.+?)\s+off$");
    static readonly Regex CompleteAfterTitle = R(@"^(?<target>.+?)\s+(?:is|are)\s+(?:now\s+|all\s+)?(?:done|finished|complete|completed|taken care of)$|^(?<target>.+?)\s*[:-]?\s+(?:done|finished)$");
    static readonly Regex DeletePattern = R(@"^(?:delete|remove|drop|erase|cancel|trash|scrap|scratch|discard|get rid of|forget about|forget|cross out)\s+(?<target>.+?)(?:\s+(?:from|off)\s+(?:my|the)\s+(?:to-?do\s+|task\s+)?list)?$|^take\s+(?<target>.+?)\s+off\s+(?:my|the)\s+(?:to-?do\s+)?list$");
    static readonly Regex Question = R(@"^(?:is|are|was|were|did|do|does|have|has|what|which|who|how|when|why|where|can|could|should)\b");
    static readonly Regex StatusQuestion = R(@"^(?:is|are|was|were)\s+(?<q>.+?)\s+(?:done|finished|completed|complete|checked off)(?: yet)?$|^(?:did i|have i)\s+(?:already\s+)?(?:finish|finished|complete|completed|do|done)\s+(?<q>.+?)(?: yet)?$");
    static readonly Regex WhatNext = R(@"^(?:what'?s next|what now|what next|what should i do(?: next| now| today)?|what'?s up next)$");
    static readonly Regex BareAction = R(@"^(?<verb>delete|remove|complete|finish|mark(?: as)? done|reopen|uncheck)(?:\s+(?:a|the|one|some))?(?:\s+task)?$");
    static readonly Regex CountPattern = R(@"^how many\b");
    static readonly Regex ListPattern = R(@"^(?:(?:show|list|see|display|view|get|give|tell|read|print|open|check|what'?s|what is|what are|whats|what do|what did|what have|what should|what else|what|anything|any|do i have|have i got|where)\b.*\b(?:list|tasks?|todos?|to-?dos?|to do|agenda|plan|left|pending|remaining|done|completed?|finish(?:ed)?|accomplished|open|outstanding|on my plate|things)\b|(?:my\s+)?(?:tasks|todos|to-?do list|list)$|^(?:show|list)(?: me)?(?: all| everything)?$)");
    static readonly Regex PendingWords = R(@"\b(?:still|left|remaining|pending|open|outstanding|unfinished|incomplete|undone|not (?:yet )?(?:done|finished|completed)|yet to|(?:have|need|got) to|to do next|on my plate)\b");
    static readonly Regex CompletedWords = R(@"\b(?:completed?|done|finish(?:ed)?|accomplished|checked off|ticked off)\b");
    static readonly Regex FindPattern = R(@"^(?:find|search(?: for)?|look for|look up|lookup|locate)\s+(?<q>.+)$|^(?:do i have|is there|are there|have i got)\s+(?:a |an |any )?(?:task|tasks|anything|something|todos?|items?)\s+(?:about|for|called|named|with|like|regarding|mentioning|on)\s+(?<q>.+)$");
    static readonly Regex AddPattern = R(@"^(?:add|create|new|insert|note down|jot down|write down)\b\s*(?<rest>.*)$|^(?:todo|to-do|task|new task|reminder)\s*:\s*(?<rest>.+)$|^(?:make|set up|schedule|plan|track)\s+(?<rest>(?:a |an |another |a new |new )?(?:task|todo|to-do|reminder|item|entry)\b.*)$|^put\s+(?<rest>.+?\s+(?:on|onto|in|into)\s+(?:my|the)\s+(?:to-?do\s+|shopping\s+)?list)$");
    static readonly Regex RemindPattern = R(@"^(?:remind me|don'?t (?:let me )?forget|do not (?:let me )?forget)\s+(?:to|about|of)\s+(?<rest>.+)$|^(?:i|we)\s+(?:need to|have to|must|should|gotta|got to|ought to|want to remember to)\s+(?<rest>.+)$");
    static readonly Regex AddLead = R(@"^(?:(?:a|an|the|another|one more|some|new|a new)\s+)*(?:(?:tasks?|todos?|to-dos?|items?|reminders?|entry|entries|notes?)\b\s*(?:to|for|about|:|-|called|named|titled|that says|saying)?\s*)?");
    static readonly Regex AddTrail = R(@"\s+(?:to|on|onto|in|into)\s+(?:my|the)\s+(?:to-?do\s+|task\s+|shopping\s+)?(?:list|tasks|todos)$");
    static readonly Regex DescriptionPart = R(@"^(?<title>.+?)\s*(?:,\s*)?(?:\bwith (?:the |a )?(?:description|details?|notes?)\b|\bdescribed as\b|\bdescription:|\bdetails:|\bnotes?:)\s*:?\s*(?<desc>.+)$");
    static readonly Regex ListSeparator = R(@"\s*(?:,|;|\n)\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+");
    static readonly Regex TwoWords = R(@"^(?<a>\S+)\s+(?:and|&)\s+(?<b>\S+)$");

    static readonly Regex Pronoun = R(@"^(?:it|that|this|that one|this one|that task|this task|the task|the one i just added|the last one i added)$");
    static readonly Regex Everything = R(@"^(?:both|both of them|all|all of them|all three|them all|them|every one|each of them)$");
    static readonly Regex TargetLead = R(@"^(?:the|my|task|tasks|item|items|number|no\.?|#)\s*");
    static readonly Regex TargetTrail = R(@"\s+(?:task|item|one|from my list|on my list|off my list|from the list)$");
    static readonly Regex PositionPart = R(@"^(?:(?:the\s+)?(?:task|item|number|no\.?)\s*)?#?(?<n>\d{1,3})(?:st|nd|rd|th)?(?:\s+(?:one|task|item))?$|^(?:the\s+)?(?<word>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)(?:\s+(?:one|task|item))?$");
    static readonly Regex TaskWordList = R(@"^(?:tasks?|items?|numbers?)\s+");

    static readonly string[] Ordinals = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];

    /// <summary>The intent of a user message; actions on tasks target the tagged (@-mentioned) tasks when there are any.</summary>
    public static Intent Parse(string text, IReadOnlyList<long> taggedTaskIds)
    {
        var s = Clean(text);
        if (s.Length == 0) return new Help();
        // Short replies are judged on the words as typed too: "hello there" is a greeting, not "there".
        var typed = text.Trim().TrimEnd('.', '!', '?', ' ').Replace('\u2019', '\'');
        bool Is(Regex pattern) => pattern.IsMatch(s) || pattern.IsMatch(typed);
        if (Is(Yes)) return new Answer(true);
        if (Is(No)) return new Answer(false);
        if (Is(Hello)) return new Greeting();
        if (Is(ThankYou)) return new Thanks();
        if (Is(Bye)) return new Farewell();
        if (Is(HelpRequest)) return new Help();
        if (OtherUsers.IsMatch(s)) return new OtherUsersTasks();
        if (RemoveCompleted.IsMatch(s)) return new DeleteCompleted();
        if (RemoveEverything.IsMatch(s)) return new DeleteAll();
        if (CompleteEverything.IsMatch(s)) return new CompleteAll();

        TaskRef Target(Match m) => taggedTaskIds.Count > 0 ? new ByIds(taggedTaskIds) : ParseTarget(m.Groups["target"].Value);

        if (DescribePattern.Match(s) is { Success: true } describe) return new Describe(Target(describe), Unquote(describe.Groups["value"].Value));
        if (RenamePattern.Match(s) is { Success: true } rename) return new Rename(Target(rename), Unquote(rename.Groups["value"].Value));
        if (ReopenPattern.Match(s) is { Success: true } reopen) return new Reopen(Target(reopen));
        if (CompletePattern.Match(s) is { Success: true } complete) return new Complete(Target(complete));
        if (DeletePattern.Match(s) is { Success: true } delete) return new Delete(Target(delete));
        if (BareAction.Match(s) is { Success: true } bare)
        {
            TaskRef nothing = new ByIds(taggedTaskIds);
            return bare.Groups["verb"].Value.ToLowerInvariant() switch
            {
                "delete" or "remove" => new Delete(nothing),
                "reopen" or "uncheck" => new Reopen(nothing),
                _ => new Complete(nothing),
            };
        }
        if (StatusQuestion.Match(s) is { Success: true } status) return new FindTasks(Unquote(status.Groups["q"].Value));
        if (WhatNext.IsMatch(s)) return new ListTasks("pending");
        if (CountPattern.IsMatch(s)) return new ListTasks(Filter(s), CountOnly: true);
        if (FindPattern.Match(s) is { Success: true } find) return new FindTasks(Unquote(find.Groups["q"].Value));
        if (ListPattern.IsMatch(s)) return new ListTasks(Filter(s));
        if (!Question.IsMatch(s) && CompleteAfterTitle.Match(s) is { Success: true } completed) return new Complete(Target(completed));
        if ((AddPattern.Match(s) is { Success: true } add ? add : RemindPattern.Match(s)) is { Success: true } adding)
        {
            return new AddTasks(ParseNewTasks(adding.Groups["rest"].Value));
        }
        return ParseTarget(s) switch
        {
            ByPosition or AllOfThem or ThatOne => new Choice(ParseTarget(s)),
            _ => new NotUnderstood(),
        };
    }

    /// <summary>The request without politeness and filler: "Could you please add milk?" → "add milk".</summary>
    public static string Clean(string text)
    {
        var s = Regex.Replace(text.Replace('\u2019', '\''), @"\s+", " ").Trim().Replace("@", "");
        s = s.TrimEnd('.', '!', '?', ' ');
        for (var previous = ""; previous != s;)
        {
            previous = s;
            var stripped = LeadingFiller.Replace(s, "", 1);
            // "ok" alone is an answer, "hello" alone a greeting: strip filler only when something follows.
            if (stripped.Length > 0) s = stripped;
            stripped = TrailingFiller.Replace(s, "");
            if (stripped.Length > 0) s = stripped;
            s = s.TrimEnd('.', '!', '?', ',', ' ');
        }
        return s;
    }

    public static TaskRef ParseTarget(string phrase)
    {
        var target = Unquote(phrase.Trim());
        if (Pronoun.IsMatch(target)) return new ThatOne();
        if (Everything.IsMatch(target)) return new AllOfThem();
        var parts = ListSeparator.Split(TaskWordList.Replace(target, "")).Where(p => p.Length > 0).ToList();
        var positions = parts.Select(Position).ToList();
        if (positions.Count > 0 && positions.All(p => p is not null)) return new ByPosition([.. positions.Select(p => p!.Value)]);
        var words = TargetTrail.Replace(TargetLead.Replace(target, ""), "").Trim();
        return new ByTitle(words.Length > 0 ? words : target);
    }

    /// <summary>A title phrase split at commas and "and", for "mark milk and eggs as done".</summary>
    public static IReadOnlyList<string> SplitTitles(string phrase) =>
        [.. ListSeparator.Split(phrase).Select(p => Unquote(p.Trim())).Where(p => p.Length > 0)];

    static int? Position(string part)
    {
        var m = PositionPart.Match(part.Trim());
        if (!m.Success) return null;
        if (m.Groups["n"].Success) return int.Parse(m.Groups["n"].Value);
        var word = m.Groups["word"].Value.ToLowerInvariant();
        return word == "last" ? 0 : Array.IndexOf(Ordinals, word) + 1;
    }

    static string Filter(string s) =>
        PendingWords.IsMatch(s) ? "pending" : CompletedWords.IsMatch(s) ? "completed" : "all";

    static List<NewTask> ParseNewTasks(string rest)
    {
        var text = AddTrail.Replace(AddLead.Replace(rest.Trim(), ""), "").Trim();
        string? description = null;
        if (DescriptionPart.Match(text) is { Success: true } described)
        {
            text = described.Groups["title"].Value.Trim();
            description = Unquote(described.Groups["desc"].Value);
        }
        text = text.TrimEnd(',', ':', ' ');
        if (text.Length == 0) return [];
        // "milk, eggs and bread" is a list; "call mom and dad" is one task; "milk and eggs" is two.
        var several = text.IndexOfAny([',', ';', '\n']) >= 0 || TwoWords.IsMatch(text);
        var titles = several ? SplitTitles(text) : [Unquote(text)];
        return [.. titles.Where(t => t.Length > 0).Select(t => new NewTask(t, titles.Count == 1 ? description : null))];
    }

    static string Unquote(string text) => text.Trim().Trim('"', '\'', '“', '”', '‘', '’', '`').Trim();
}
