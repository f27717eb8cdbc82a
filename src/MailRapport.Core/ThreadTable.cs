namespace MailRapport.Core;

/// <summary>
/// One correspondent's recent threads, the least recently used forgotten beyond <see cref="StageModelOptions.ThreadsRemembered"/>.
/// The model's one thread table: per thread, when each side last wrote (reply times, threads both wrote in) and since
/// when each side has been waiting for an answer (waiting on you / on them).
/// </summary>
internal sealed class ThreadTable(int capacity)
{
    // Keys and last-use times apart from the rest: the lookup scans only the keys (vectorised), eviction only the times.
    private readonly ulong[] _keys = new ulong[Math.Max(1, capacity)];
    private readonly long[] _touched = new long[Math.Max(1, capacity)];
    private readonly ThreadState[] _states = new ThreadState[Math.Max(1, capacity)];
    private int _count, _last;

    public struct ThreadState
    {
        public long LastMineTicks, LastTheirsTicks;
        /// <summary>First direct message of theirs (mine) in this thread since the owner (they) last answered; MinValue when none.</summary>
        public long TheirsSince, MineSince;
        public bool Mine, Theirs, Counted;
    }

    /// <summary>The threads remembered, in no particular order.</summary>
    public ReadOnlySpan<ThreadState> States => _states.AsSpan(0, _count);

    /// <summary>The thread's state, added (forgetting the least recently used one when full) if new; marks it used at <paramref name="ticks"/>.</summary>
    public ref ThreadState Find(ulong key, long ticks)
    {
        int index = _last;
        // Mail mostly continues the thread last written in; keys are unique, so a hit here is the hit of a full scan.
        if (index >= _count || _keys[index] != key)
        {
            index = _keys.AsSpan(0, _count).IndexOf(key);
            if (index < 0)
            {
                if (_count < _keys.Length) index = _count++;
                else
                {
                    index = 0;
                    for (int i = 1; i < _count; i++)
                        if (_touched[i] < _touched[index]) index = i;
                }
                _keys[index] = key;
                _states[index] = new ThreadState
                {
                    LastMineTicks = long.MinValue, LastTheirsTicks = long.MinValue, TheirsSince = long.MinValue, MineSince = long.MinValue,
                };
            }
            _last = index;
        }
        _touched[index] = ticks;
        return ref _states[index];
    }
}
