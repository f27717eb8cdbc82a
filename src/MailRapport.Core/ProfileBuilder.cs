namespace MailRapport.Core;

/// <summary>
/// Accumulates features per correspondent from one mailbox's interactions, given in time order,
/// then builds a profile for each as of an instant. Memory grows with correspondents, not messages.
/// </summary>
public sealed class ProfileBuilder
{
    private readonly StageModelOptions _options;
    private readonly HashSet<string> _owner;
    private readonly IReadOnlyDictionary<string, bool> _overrides;
    private readonly Dictionary<string, CorrespondentFeatures> _people = new(StringComparer.Ordinal);
    private readonly long _replyWindowTicks;
    private readonly int _threadsRemembered;
    private readonly FollowUpRules _followUps;
    private readonly MailboxActivity _mailbox = new();
    private long _lastTicks = long.MinValue;

    internal ProfileBuilder(StageModelOptions options, IEnumerable<string> ownerAddresses, IReadOnlyDictionary<string, bool>? automatedOverrides)
    {
        _options = options;
        _owner = new HashSet<string>(ownerAddresses, StringComparer.Ordinal); // canonical already: normalised where they entered
        _overrides = automatedOverrides ?? new Dictionary<string, bool>();
        _replyWindowTicks = (long)(options.ReplyWindowDays * TimeSpan.TicksPerDay);
        _threadsRemembered = options.ThreadTableSize;
        _followUps = new FollowUpRules(options.FollowUp);
    }

    public int Correspondents => _people.Count;

    public void Add(Interaction interaction)
    {
        if (interaction.Message is { } m) Add(m);
        else if (interaction.Meeting is { } g) Add(g);
    }

    public void Add(MessageInteraction message)
    {
        long ticks = Ordered(message.Timestamp);
        ulong thread = ThreadKey(message.ConversationId ?? message.Key);
        if (message.Direction == Direction.Outgoing)
        {
            _mailbox.Sent(ticks);
            var counterparts = message.Counterparts;
            for (int i = 0; i < counterparts.Count; i++) // by index: no enumerator per message
            {
                var c = counterparts[i];
                if (c.Role == RecipientRole.From || PersonOrOwner(c.Address, c.DisplayName) is not { } p) continue;
                ref var month = ref p.Touch(ticks, _options.GapSamples);
                double weight = Weight(c.Role, message.RecipientCount);
                month.Sent++;
                month.WeightedSent += weight;
                p.Sent++;
                p.WeightedSent += weight;
                p.LastSentTicks = ticks;
                if (p.Thread(thread, ticks, mine: true, direct: c.Role == RecipientRole.To && message.RecipientCount < _options.LargeListRecipients,
                        answeredAt: Math.Max(p.LastReceivedTicks, p.LastMeetingTicks), _threadsRemembered, _replyWindowTicks) is { } hours)
                {
                    p.RepliesMine++;
                    (p.ReplyHoursMine ??= new RingBuffer(_options.ReplySamples)).Add(hours);
                }
            }
        }
        else
        {
            _mailbox.Received(ticks);
            // The owner's own copy with a wrong direction: not a correspondent.
            if (PersonOrOwner(message.From, message.FromDisplayName ?? SenderName(message.Counterparts)) is not { } p) return;
            ref var month = ref p.Touch(ticks, _options.GapSamples);
            double weight = Weight(message.OwnerRole, message.RecipientCount);
            month.Received++;
            month.WeightedReceived += weight;
            p.Received++;
            p.WeightedReceived += weight;
            p.LastReceivedTicks = ticks;
            if (message.Markers != AutomationMarkers.None) { p.ReceivedWithMarkers++; p.MarkersSeen |= message.Markers; }
            if (message.RecipientCount >= _options.LargeListRecipients || message.OwnerRole is RecipientRole.Bcc or RecipientRole.From)
                p.ReceivedAsMassMail++;
            if (p.Thread(thread, ticks, mine: false, direct: message.OwnerRole == RecipientRole.To && message.RecipientCount < _options.LargeListRecipients,
                    answeredAt: Math.Max(p.LastSentTicks, p.LastMeetingTicks), _threadsRemembered, _replyWindowTicks) is { } hours)
            {
                p.RepliesTheirs++;
                (p.ReplyHoursTheirs ??= new RingBuffer(_options.ReplySamples)).Add(hours);
            }
        }
    }

    public void Add(MeetingInteraction meeting)
    {
        long ticks = Ordered(meeting.Start);
        _mailbox.Meeting(ticks);
        if (meeting.IsCancelled || meeting.OwnerResponse == AttendeeResponse.Declined) return;
        // People other than the owner: the organizer and person attendees who did not decline.
        Span<int> keep = stackalloc int[Math.Min(meeting.Attendees.Count, 512)];
        int kept = 0;
        bool organizerIsPerson = !_owner.Contains(meeting.Organizer);
        for (int i = 0; i < meeting.Attendees.Count && kept < keep.Length; i++)
        {
            var a = meeting.Attendees[i];
            if (a.Kind == AttendeeKind.Resource || a.Response == AttendeeResponse.Declined) continue;
            if (_owner.Contains(a.Address) || a.Address == meeting.Organizer) continue;
            keep[kept++] = i;
        }
        int people = kept + (organizerIsPerson ? 1 : 0);
        if (people == 0) return;
        // A 1:1 counts fully; a bigger meeting is shared among its attendees.
        double share = 1.0 / people;
        bool small = people <= _options.SmallMeetingPeople;
        double hours = meeting.Hours;
        if (organizerIsPerson) Met(Person(meeting.Organizer, meeting.OrganizerDisplayName), ticks, hours, share, small);
        for (int k = 0; k < kept; k++)
        {
            var a = meeting.Attendees[keep[k]];
            Met(Person(a.Address, a.DisplayName), ticks, hours, share, small);
        }
    }

    private void Met(CorrespondentFeatures p, long ticks, double hours, double share, bool small)
    {
        p.MeetingAnswers(ticks, _replyWindowTicks);
        ref var month = ref p.Touch(ticks, _options.GapSamples);
        month.Meetings++;
        p.Meetings++;
        p.MeetingHours += hours;
        p.WeightedMeetings += share;
        p.WeightedMeetingHours += hours * share;
        if (small) p.SmallMeetings++;
    }

    /// <summary>Profiles of every correspondent as of <paramref name="asOf"/>, strongest first.</summary>
    public IReadOnlyList<ContactProfile> Build(DateTimeOffset asOf) => Build(asOf, Coverage(asOf));

    /// <summary>
    /// Profiles as of <paramref name="asOf"/> judged against a coverage computed once by the caller: this builder's own
    /// (<see cref="Coverage"/>), or the whole mailbox's when only some correspondents' interactions were added.
    /// </summary>
    public IReadOnlyList<ContactProfile> Build(DateTimeOffset asOf, MailboxCoverage coverage)
    {
        var classifier = new StageClassifier(_options);
        var result = new List<ContactProfile>(_people.Count);
        foreach (var p in _people.Values)
        {
            bool? automatedOverride = _overrides.TryGetValue(p.Address, out var overridden) ? overridden : null;
            result.Add(WithFollowUps(classifier.Classify(p, asOf, automatedOverride, coverage), p, asOf, coverage));
        }
        result.Sort((a, b) => b.Strength != a.Strength ? b.Strength.CompareTo(a.Strength) : string.CompareOrdinal(a.Address, b.Address));
        return result;
    }

    /// <summary>
    /// Waiting threads each way, the next expected contact and reply-time drift. Automated senders wait on no one and
    /// keep no rhythm.
    /// </summary>
    private ContactProfile WithFollowUps(ContactProfile profile, CorrespondentFeatures p, DateTimeOffset asOf, MailboxCoverage coverage)
    {
        if (profile.Flags.HasFlag(ContactFlags.Automated))
            return profile with { NextContact = new ContactRhythm { Summary = "No rhythm expected: automated sender." } };
        var rhythm = FollowUpRules.Rhythm(_options.FollowUp, profile.Evidence, p.GapDays?.Count ?? 0, asOf, coverage);
        if (p.Threads is not { } threads) return profile with { NextContact = rhythm }; // meetings only: no mail to wait on
        return profile with
        {
            WaitingOnYou = _followUps.Waiting(threads, onOwner: true, Math.Max(p.LastSentTicks, p.LastMeetingTicks), p.ReplyHoursMine, asOf, coverage),
            WaitingOnThem = _followUps.Waiting(threads, onOwner: false, Math.Max(p.LastReceivedTicks, p.LastMeetingTicks), p.ReplyHoursTheirs, asOf, coverage),
            NextContact = rhythm,
            ReplyDrift = _followUps.Drift(p.ReplyHoursMine, p.ReplyHoursTheirs),
        };
    }

    /// <summary>What the mailbox holds, month by month, up to <paramref name="asOf"/>.</summary>
    public MailboxCoverage Coverage(DateTimeOffset asOf) => _mailbox.Coverage(asOf, _options);

    private long Ordered(DateTimeOffset timestamp)
    {
        long ticks = timestamp.UtcTicks;
        if (ticks < _lastTicks)
            throw new ArgumentException($"Interactions must be added in time order ({timestamp:O} after {new DateTime(_lastTicks, DateTimeKind.Utc):O}).");
        _lastTicks = ticks;
        return ticks;
    }

    /// <summary>
    /// The correspondent at <paramref name="address"/>, or null for the owner. One lookup for someone already known
    /// (an owner address is never a correspondent); the owner set is asked only for a new address.
    /// </summary>
    private CorrespondentFeatures? PersonOrOwner(string address, string? displayName)
    {
        if (!_people.TryGetValue(address, out var p))
        {
            if (_owner.Contains(address)) return null;
            _people[address] = p = new CorrespondentFeatures(address);
        }
        if (!string.IsNullOrWhiteSpace(displayName)) p.DisplayName = displayName;
        return p;
    }

    private CorrespondentFeatures Person(string address, string? displayName)
    {
        if (!_people.TryGetValue(address, out var p))
            _people[address] = p = new CorrespondentFeatures(address);
        if (!string.IsNullOrWhiteSpace(displayName)) p.DisplayName = displayName;
        return p;
    }

    private static string? SenderName(IReadOnlyList<Counterpart> counterparts)
    {
        for (int i = 0; i < counterparts.Count; i++)
            if (counterparts[i].Role == RecipientRole.From) return counterparts[i].DisplayName;
        return null;
    }

    private double Weight(RecipientRole role, int recipients)
    {
        double roleWeight = role == RecipientRole.To ? 1 : _options.CcWeight;
        double listWeight = recipients <= _options.DirectMaxRecipients ? 1 : Math.Sqrt(_options.DirectMaxRecipients / (double)recipients);
        return roleWeight * listWeight;
    }

    /// <summary>FNV-1a: a stable 64-bit key per thread, so threads cost no strings.</summary>
    private static ulong ThreadKey(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return h;
    }
}
