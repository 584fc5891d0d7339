"""Cues: timed words -> caption cues.

Cues are chosen per paragraph by dynamic programming over word boundaries: a cue
must fit the profile's lines, and the cost prefers breaks at sentence ends (as the
timeline's sentences say), then commas, then before conjunctions; it avoids breaks
after an article, preposition or subject pronoun, inside a name, and sentence
boundaries inside a cue. Display times chain cue to cue (keeping the minimum gap)
so that reading speed uses the pauses; speech too fast to read keeps its timing and
is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import chain

from pipeline.captions.profiles import PROFILES, Profile
from pipeline.model import Cue, Timeline, Transcript, Word

# --- where breaks may fall ----------------------------------------------------------

# No line or cue break after these: it would strand a word from its phrase.
FUNCTION_WORDS = frozenset(
    "a an the this that these those my your his her its our their of in on at to for"
    " with by from into onto about as than and or but nor so if because while"
    " although though whether is are was were be been being has have had do does did"
    " not no can could will would shall should may might must very such per via"
    " i we you he she they it who".split()
)
# A break before these starts a new phrase.
PHRASE_STARTS = frozenset(
    "and but or so because which who whom whose that when where while if although"
    " though until unless since whereas".split()
)
_CLAUSE_END = re.compile(r"[,;:–—][\"'”’)\]]*$")
_CAPITALISED = re.compile(r"^[\"'“‘(]*[A-Z][\w’'-]*[,.;:!?\"'”’)]*$")
_NAME_JOINERS = frozenset({"of", "the", "and", "for", "de", "van", "von", "da", "du", "la"})
# A title or an initial belongs to the name after it ("Prof. Lynne Murray", "J. Bowlby"):
# its full stop does not end the run.
_NAME_PREFIX = re.compile(r"^(?:(?:Dr|Prof|Mr|Mrs|Ms|Mx|St|Sr|Jr|Rev|Sir)\.|[A-Z]\.)$")


def _closes_run(text: str) -> bool:
    return re.search(r"[,.;:!?]$", text) is not None and not _NAME_PREFIX.match(text)


def name_spans(words: Sequence[Word]) -> list[tuple[int, int]]:
    """Word-index spans (inclusive) of runs of capitalised words: "Anna Freud Centre",
    "University of Warwick". No break falls inside them."""
    spans = []
    i = 0
    while i < len(words):
        if not _CAPITALISED.match(words[i].text):
            i += 1
            continue
        j = i
        while j + 1 < len(words) and not _closes_run(words[j].text):
            nxt = words[j + 1].text
            if _CAPITALISED.match(nxt):
                j += 1
            elif (
                nxt.lower() in _NAME_JOINERS
                and j + 2 < len(words)
                and _CAPITALISED.match(words[j + 2].text)
                and not re.search(r"[,.;:!?]$", nxt)
            ):
                j += 2
            else:
                break
        if j > i:
            spans.append((i, j))
        i = j + 1
    return spans


def protected_breaks(
    words: Sequence[Word], protected: Sequence[tuple[int, int, int]] = ()
) -> set[int]:
    """Word indexes k such that no break may fall between word k and word k+1.

    ``protected`` are (paragraph, start char, end char) spans from the tagger
    (entities and intervention names); capitalised name runs are added here.
    """
    blocked: set[int] = set()
    for first, last in name_spans(words):
        blocked.update(range(first, last))
    if protected:
        by_paragraph: dict[int, list[tuple[int, int]]] = {}
        for paragraph, start, end in protected:
            by_paragraph.setdefault(paragraph, []).append((start, end))
        for k in range(len(words) - 1):
            here, nxt = words[k], words[k + 1]
            if here.paragraph != nxt.paragraph:
                continue
            for start, end in by_paragraph.get(here.paragraph, ()):
                if start < here.end and nxt.start < end:
                    blocked.add(k)
                    break
    return blocked


def sentence_ends(timeline: Timeline) -> frozenset[int]:
    """Indexes of the words that end a sentence, as the timeline's sentences say."""
    return frozenset(s.last_word for s in timeline.sentences)


def break_cost(
    words: Sequence[Word], k: int, blocked: set[int], ends: frozenset[int] = frozenset()
) -> float:
    """Cost of breaking after word k (a cue or line break); ``ends`` are sentence ends."""
    token = words[k].text
    cost = 0.0
    if k in ends:
        cost = 0.0
    elif _CLAUSE_END.search(token):
        cost = 0.6
    elif k + 1 < len(words) and words[k + 1].text.lower() in PHRASE_STARTS:
        cost = 1.2
    else:
        cost = 2.5
    if token.lower().strip("\"'“‘(") in FUNCTION_WORDS and not _CLAUSE_END.search(token):
        cost += 6.0
    if k in blocked:
        cost += 40.0
    return cost


# --- line breaking --------------------------------------------------------------


def break_lines(
    words: Sequence[Word],
    first: int,
    last: int,
    profile: Profile,
    blocked: set[int],
    costs: Sequence[float] | None = None,
) -> tuple[float, tuple[str, ...]] | None:
    """The best split of words[first..last] into at most ``max_lines`` lines and its
    cost, or None when the words do not fit. ``costs`` are the break costs of every
    word when the caller has them (the cue builder asks thousands of times)."""
    n_words = last - first + 1
    prefix = [0]
    for word in words[first : last + 1]:
        prefix.append(prefix[-1] + len(word.text))

    def width_of(i: int, j: int) -> int:  # words i..j-1 joined by spaces
        return prefix[j] - prefix[i] + (j - i - 1)

    width = profile.max_chars_per_line
    texts = [w.text for w in words[first : last + 1]]
    if width_of(0, n_words) <= width or n_words == 1:
        # One line; a single word longer than a line is shown whole.
        return 0.0, (" ".join(texts),)
    inf = float("inf")
    memo: dict[tuple[int, int], tuple[float, list[int]]] = {}

    def cost_after(k: int) -> float:
        return costs[first + k] if costs is not None else break_cost(words, first + k, blocked)

    def lay(i: int, lines: int) -> tuple[float, list[int]]:
        """Cost and cut points of laying words[i:] out in at most ``lines`` lines."""
        key = (i, lines)
        if key in memo:
            return memo[key]
        best: tuple[float, list[int]] = (inf, [])
        if width_of(i, n_words) <= width or i == n_words - 1:
            best = (0.0, [n_words])
        if lines > 1:
            for j in range(i + 1, n_words):
                length = width_of(i, j)
                if length > width and j - 1 > i:
                    break
                cost_rest, cuts = lay(j, lines - 1)
                if cost_rest == inf:
                    continue
                next_len = width_of(j, cuts[0])
                # Bottom-heavy: a top line longer than the next costs more.
                shape = (
                    0.08 * (length - next_len) if length > next_len else 0.02 * (next_len - length)
                )
                cost = cost_rest + cost_after(j - 1) + shape
                if cost < best[0]:
                    best = (cost, [j, *cuts])
        memo[key] = best
        return best

    cost, cuts = lay(0, profile.max_lines)
    if cost == inf:
        return None
    lines, start = [], 0
    for cut in cuts:
        lines.append(" ".join(texts[start:cut]))
        start = cut
    return cost, tuple(lines)


# --- cue building ----------------------------------------------------------------


def speed(text_chars: int, words: int, duration_ms: int, profile: Profile) -> float:
    if duration_ms <= 0:
        return float("inf")
    if profile.speed_unit == "wpm":
        return words * 60_000 / duration_ms
    return text_chars * 1000 / duration_ms


def build_cues(
    transcript: Transcript,
    timeline: Timeline,
    profile: Profile = PROFILES["default"],
    protected: Sequence[tuple[int, int, int]] = (),
) -> tuple[Cue, ...]:
    words = timeline.words
    blocked = protected_breaks(words, protected)
    ends = sentence_ends(timeline)
    costs = [break_cost(words, k, blocked, ends) for k in range(len(words))]
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    start = 0
    for end in range(1, len(words) + 1):
        if end == len(words) or words[end].paragraph != words[start].paragraph:
            spans.extend(_paragraph_cues(words, start, end, profile, costs, ends))
            start = end
    return _timed(transcript, words, spans, timeline.end_ms, profile)


SENTENCE_INSIDE_COST = 1.0  # per sentence end that falls inside a cue


def _paragraph_cues(
    words: Sequence[Word],
    lo: int,
    hi: int,
    profile: Profile,
    costs: Sequence[float],
    sentence_last: frozenset[int],
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Dynamic programming over the cue boundaries of one paragraph.

    The inner loop is the hot path of a whole run (thousands of candidate cues per
    document), so it works on plain lists of the paragraph's numbers and lays out
    the lines of two-line profiles inline (the layout ``break_lines`` gives them);
    other profiles go through ``break_lines``.
    """
    inf = float("inf")
    n = hi - lo
    best: list[float] = [inf] * (n + 1)
    choice: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (first word, line cut or -1)
    laid_out: dict[tuple[int, int], tuple[str, ...]] = {}
    best[0] = 0.0
    width = profile.max_chars_per_line
    max_chars = width * profile.max_lines
    max_speed, target_speed = profile.max_speed, profile.target_speed
    min_duration, max_duration, gap = (
        profile.min_duration_ms,
        profile.max_duration_ms,
        profile.min_gap_ms,
    )
    wpm = profile.speed_unit == "wpm"
    two_lines = profile.max_lines <= 2
    one_line = profile.max_lines < 2
    lengths = [len(words[k].text) for k in range(lo, hi)]
    starts = [words[k].start_ms for k in range(lo, hi)]
    stops = [words[k].end_ms for k in range(lo, hi)]
    local_costs = [costs[k] for k in range(lo, hi)]
    # prefix[k]: characters of words lo..lo+k-1; a line of words a..b-1 is
    # prefix[b] - prefix[a] + (b - a - 1) wide.
    prefix = [0]
    for length_ in lengths:
        prefix.append(prefix[-1] + length_)
    # ends[k]: sentence ends among words lo..lo+k-1, to price sentences split by cues.
    ends = [0]
    for k in range(lo, hi):
        ends.append(ends[-1] + (k in sentence_last))
    # Where a two-line cue may cut: words i..k-1 on top fit from i up to top_to[i]
    # (the first word always may stand alone), words k..j-1 below fit from
    # bottom_from[j] (the last word always may). Both move one way, so two pointers.
    top_to = [0] * (n + 1)
    bottom_from = [0] * (n + 1)
    if two_lines:
        k = 0
        for i in range(n):
            k = max(k, i + 1)
            while k < n and prefix[k + 1] - prefix[i] + (k - i) <= width:
                k += 1
            top_to[i] = k
        k = 0
        for j in range(1, n + 1):
            while k < j and prefix[j] - prefix[k] + (j - k - 1) > width:
                k += 1
            bottom_from[j] = min(k, j - 1)
    # char_low[j]: the first word of the longest cue ending at word j - 1 that fits
    # ``max_chars`` (the last word alone always may); two pointers, as widths only grow.
    char_low = [0] * (n + 1)
    k = 0
    for j in range(1, n + 1):
        while k < j - 1 and prefix[j] - prefix[k] + (j - k - 1) > max_chars:
            k += 1
        char_low[j] = k
    sentence_cost = SENTENCE_INSIDE_COST
    # floor_of[i]: best[i] less the sentence ends before word i at their price. A cue
    # i..j-1 costs at least floor_of[i] + the price of the ends before word j - 1 + the
    # break after it, so one comparison per start skips most of them; the margin covers
    # rounding (the exact bound below decides).
    floor_of = [inf] * (n + 1)
    floor_of[0] = 0.0
    for j in range(1, n + 1):
        last_is_end = (lo + j - 1) in sentence_last
        shown_end = starts[j] if j < n else stops[j - 1]
        break_here = 1.0 + local_costs[j - 1] if j < n else 1.0
        short_penalty = j < n and not last_is_end
        stop = stops[j - 1]
        ends_j = ends[j - 1]
        first_cut = bottom_from[j]
        width_j = prefix[j] + j - 1
        # The cues that may end here start at low..j-1: longer ones break the character
        # or the duration limit (walking back from the last word, as the limits grow).
        low = j - 1
        floor = char_low[j]
        while low > floor and stop - starts[low - 1] <= max_duration:
            low -= 1
        # Longest first: a good cue found early lets the cheap bound below skip most of
        # the others. Ties go to the shortest of the best cues (``<=``), as they always did.
        best_j = inf
        choice_j = (0, 0)
        known = break_here + sentence_cost * ends_j
        threshold = inf
        # The best cue ending one word earlier, one word longer, first: usually near the
        # best here, it lets the comparison above skip most of the others.
        hint = choice[j - 1][0] if j > 1 else -1
        order: Iterable[int] = (
            chain((hint,), range(low, hint), range(hint + 1, j))
            if low <= hint < j
            else range(low, j)
        )
        for i in order:
            if floor_of[i] > threshold:
                continue
            base = best[i]
            if base == inf:
                continue
            length = width_j - prefix[i] - i
            start = starts[i]
            # Display runs until the next cue starts (the gap aside).
            shown_ms = shown_end - start - gap
            if shown_ms < 1:
                shown_ms = 1
            # Every cost but the reading speed's, added in the order of ``cost`` below:
            # no greater than the full cost, also in floating point (rounding is monotone).
            bound = break_here
            if shown_ms < min_duration:
                bound += 12.0
            if length < 20 and short_penalty:
                bound += 1.0
            inside = sentence_cost * (ends_j - ends[i])
            if base + (bound + inside) > best_j:
                continue
            cost = break_here
            rate = (j - i) * 60_000 / shown_ms if wpm else length * 1000 / shown_ms
            if rate > max_speed:
                cost += 8.0 + (rate - max_speed)
            elif rate > target_speed:
                cost += 0.5 * (rate - target_speed) / target_speed * 4
            if shown_ms < min_duration:
                cost += 12.0  # under the minimum only where the text allows nothing else
            if length < 20 and short_penalty:
                cost += 1.0  # a short fragment flashes by
            # One sentence ending and the next starting in the same cue reads worse.
            cost += inside
            if base + cost > best_j:
                continue  # line breaking only adds cost: this cue cannot win
            if two_lines:
                # The lines of words i..j-1, as ``break_lines`` lays out two.
                if length <= width or i == j - 1:
                    line_cost, cut = 0.0, -1
                elif one_line:
                    continue
                else:
                    line_cost, cut = inf, -2
                    for k in range(max(i + 1, first_cut), min(top_to[i], j - 1) + 1):
                        top = prefix[k] - prefix[i] + (k - i - 1)
                        bottom = length - 1 - top
                        # Bottom-heavy: a top line longer than the next costs more.
                        shape = 0.08 * (top - bottom) if top > bottom else 0.02 * (bottom - top)
                        here = local_costs[k - 1] + shape
                        if here < line_cost:
                            line_cost, cut = here, k
                    if cut == -2:
                        continue
            else:
                laid = break_lines(words, lo + i, lo + j - 1, profile, set(), costs)
                if laid is None:
                    continue
                line_cost, cut = laid[0], -1
                laid_out[(i, j)] = laid[1]
            total = base + cost + line_cost
            # Of equally good cues, the shortest (as when they were tried shortest first).
            if total < best_j or (total == best_j and i > choice_j[0]):
                best_j = total
                choice_j = (i, cut)
                threshold = best_j - known + 1e-9 * (abs(best_j) + abs(known) + 1.0)
        best[j] = best_j
        choice[j] = choice_j
        floor_of[j] = best_j - sentence_cost * ends[j]
    result = []
    j = n
    while j > 0:
        i, cut = choice[j]
        texts = [words[k].text for k in range(lo + i, lo + j)]
        if not two_lines:
            lines = laid_out[(i, j)]
        elif cut < 0:
            lines = (" ".join(texts),)
        else:
            lines = (" ".join(texts[: cut - i]), " ".join(texts[cut - i :]))
        result.append((lo + i, lo + j - 1, lines))
        j = i
    return result[::-1]


def _timed(
    transcript: Transcript,
    words: Sequence[Word],
    spans: list[tuple[int, int, tuple[str, ...]]],
    end_of_speech: int,
    profile: Profile,
) -> tuple[Cue, ...]:
    gap = profile.min_gap_ms
    starts: list[int] = []
    for first, _last, _lines in spans:
        start = words[first].start_ms
        if starts:
            start = max(start, starts[-1] + gap + 1)  # never overlap, keep the gap
        starts.append(start)
    cues = []
    for n, ((first, last, lines), start) in enumerate(zip(spans, starts, strict=True)):
        if n + 1 < len(spans):
            end = min(starts[n + 1] - gap, start + profile.max_duration_ms)
        else:
            end = max(words[last].end_ms, end_of_speech, start + profile.min_duration_ms)
            end = min(end, start + max(profile.max_duration_ms, words[last].end_ms - start))
        speaker = transcript.paragraphs[words[first].paragraph].speaker
        cues.append(Cue(n, start, max(end, start + 1), lines, speaker, first, last))
    return tuple(cues)
