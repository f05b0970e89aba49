// What each key does to the live view: a pure function of the state and the key, so tests drive every key without a
// terminal (TopTests also press them through tmux).
namespace MonitorNetwork.Collector.Top;

/// <summary>The live view's key bindings.</summary>
public static class TopKeys
{
    /// <summary>The state after <paramref name="key"/> (<paramref name="character"/> as typed), and whether to quit.</summary>
    public static (TopView.ViewState State, TopSort Sort, bool Quit) Apply(TopView.ViewState state, TopSort sort, ConsoleKey key, char character)
    {
        if (state.Typing is { } typing)
        {
            return key switch
            {
                ConsoleKey.Enter => (state with { Filter = typing.Trim(), Typing = null }, sort, false),
                ConsoleKey.Escape => (state with { Typing = null }, sort, false),
                ConsoleKey.Backspace => (state with { Typing = typing.Length > 0 ? typing[..^1] : "" }, sort, false),
                _ when !char.IsControl(character) && typing.Length < 200 => (state with { Typing = typing + character }, sort, false),
                _ => (state, sort, false),
            };
        }
        if (character is 'q' or 'Q') return (state, sort, true);
        if (character == '?') return (state with { Help = !state.Help }, sort, false);
        if (character == ' ') return (state with { Paused = !state.Paused }, sort, false);
        if (character == '/') return (state with { Typing = "", Help = false }, sort, false);
        if (character is 's' or 'S') return (state, TopSorting.Next(sort), false);
        if (key == ConsoleKey.Escape && state.Help) return (state with { Help = false }, sort, false);
        return TopSorting.ForKey(character) is { } order ? (state, order, false) : (state, sort, false);
    }
}
