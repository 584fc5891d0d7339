"""Normalise: transcript tokens -> words the recogniser can pronounce.

Consumes whitespace tokens exactly as a transcript writes them (``2019,`` ``£5``
``NHS`` ``1st`` ``Dr.`` ``co-operate`` ``Bowlby’s``). Produces, per token, the ways
it may be spoken: alternatives, each a sequence of lower-case dictionary words
(``2019`` is "twenty nineteen" or "two thousand and nineteen"; ``VIPP`` is "v i p
p" or "vipp"). The aligner lets the audio choose between alternatives, so the
normaliser never has to guess how a speaker read a number or an acronym.

``Pronouncer`` gives a pronunciation (ARPABET phones, the acoustic model's units)
for any word: the dictionary's when it has one, else one built from dictionary
words the word is made of ("earthworms" = "earth" + "worms"), else from
letter-to-sound rules. So no word can make a paragraph fail for being unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

Spoken = tuple[str, ...]

# --- numbers ---------------------------------------------------------------------

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen"
    " fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))
_ORDINAL_WORDS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def cardinal(n: int, *, british_and: bool = True) -> list[str]:
    """Words for a non-negative integer ("one hundred and five")."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        words = [_ONES[hundreds], "hundred"]
        if rest:
            words += (["and"] if british_and else []) + cardinal(rest, british_and=british_and)
        return words
    for scale, name in _SCALES:
        if n >= scale:
            high, rest = divmod(n, scale)
            words = [*cardinal(high, british_and=british_and), name]
            if rest:
                if rest < 100 and british_and:
                    words.append("and")
                words += cardinal(rest, british_and=british_and)
            return words
    raise AssertionError("unreachable")


def ordinal(n: int) -> list[str]:
    """Words for an ordinal ("twenty first")."""
    words = cardinal(n, british_and=True)
    last = words[-1]
    if last in _ORDINAL_WORDS:
        words[-1] = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return words


def _year(n: int) -> list[list[str]]:
    """How a four-digit year may be read: "nineteen forty eight", "two thousand and eight"."""
    readings: list[list[str]] = []
    high, low = divmod(n, 100)
    if 1100 <= n <= 2099 and not (2000 <= n <= 2009):
        if low == 0:
            readings.append([*cardinal(high), "hundred"])
        elif low < 10:
            readings.append([*cardinal(high), "oh", _ONES[low]])
        else:
            readings.append(cardinal(high) + cardinal(low))
    readings.append(cardinal(n, british_and=True))
    readings.append(cardinal(n, british_and=False))
    return readings


def _decade(n: int) -> list[list[str]]:
    """ "1950s" -> "nineteen fifties"; "60s" -> "sixties"."""
    readings = []
    for reading in _year(n)[:1] if n >= 100 else [cardinal(n)]:
        last = reading[-1]
        plural = last[:-1] + "ies" if last.endswith("y") else last + "s"
        readings.append([*reading[:-1], plural])
    return readings


def _digits(text: str) -> list[str]:
    return [_ONES[int(d)] for d in text]


def _number(text: str) -> list[list[str]]:
    """Readings of a plain number: "1,000", "1.5", "2019", "007"."""
    whole, _, fraction = text.replace(",", "").partition(".")
    if not whole and not fraction:
        return []
    readings: list[list[str]] = []
    if whole:
        n = int(whole)
        if len(whole) == 4 and not fraction and "," not in text:
            readings = _year(n)
        elif whole.startswith("0") and len(whole) > 1:
            readings = [_digits(whole), [*("oh" if d == "0" else _ONES[int(d)] for d in whole)]]
        else:
            readings = [cardinal(n), cardinal(n, british_and=False)]
            if whole.lstrip("0")[:1] == "1" and cardinal(n)[1:2] in (
                ["hundred"],
                ["thousand"],
                ["million"],
            ):
                readings.append(["a", *cardinal(n)[1:]])  # "a hundred"
    else:
        readings = [["point"], ["nought", "point"], ["zero", "point"]]
        return [r + _digits(fraction) for r in readings]
    if fraction:
        readings = [[*r, "point", *_digits(fraction)] for r in readings]
    return readings


# --- tokens ----------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})
_EDGE = "\"'()[]{}«»“”‘’<>*_…"
_TRAILING = ".,;:!?"
_ABBREVIATIONS: dict[str, list[list[str]]] = {
    "dr": [["doctor"], ["drive"]],
    "mr": [["mister"]],
    "mrs": [["missus"], ["misses"]],
    "ms": [["miz"], ["m", "s"]],
    "prof": [["professor"]],
    "st": [["saint"], ["street"]],
    "vs": [["versus"]],
    "etc": [["et", "cetera"]],
    "e.g": [["for", "example"], ["e", "g"]],
    "i.e": [["that", "is"], ["i", "e"]],
    "approx": [["approximately"]],
    "dept": [["department"]],
    "no": [["no"], ["number"]],  # "No." ends sentences more often than it numbers
    "fig": [["figure"]],
    "&": [["and"]],
    "+": [["plus"]],
    "=": [["equals"]],
    "%": [["percent"]],
    "@": [["at"]],
}
# Abbreviations British writing leaves without a period ("Mr Smith").
_BARE_ABBREVIATIONS = frozenset({"mr", "mrs", "dr", "st", "prof", "vs", "etc", "approx", "dept"})
_FRACTIONS = {
    "½": [["a", "half"], ["one", "half"]],
    "¼": [["a", "quarter"], ["one", "quarter"]],
    "¾": [["three", "quarters"]],
    "⅓": [["a", "third"], ["one", "third"]],
}
_DOTTED = re.compile(r"(?:[a-z]{1,2}\.)+[a-z]?")
_SYMBOLS = {"&": "and", "+": "plus", "%": "percent", "@": "at", "=": "equals", "#": ""}
_CURRENCY = {
    "£": ("pound", "pounds", "p", "pence"),
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
}
_SCALE_SUFFIX = {"k": "thousand", "m": "million", "bn": "billion", "b": "billion"}
_UNITS = {
    "g": "grams",
    "kg": "kilograms",
    "mg": "milligrams",
    "km": "kilometres",
    "cm": "centimetres",
    "mm": "millimetres",
    "m": "metres",
    "ml": "millilitres",
    "l": "litres",
    "s": "seconds",
    "h": "hours",
    "min": "minutes",
    "mins": "minutes",
    "hrs": "hours",
    "°c": "degrees",
    "°f": "degrees",
    "°": "degrees",
    "kb": "kilobytes",
    "mb": "megabytes",
    "gb": "gigabytes",
}
_NUMBER = r"\d[\d,]*(?:\.\d+)?|\.\d+"
_CURRENCY_RE = re.compile(rf"^([£$€])({_NUMBER})(k|m|bn|b)?$", re.IGNORECASE)
_PERCENT_RE = re.compile(rf"^({_NUMBER})%$")
_ORDINAL_RE = re.compile(r"^(\d+)(st|nd|rd|th)$", re.IGNORECASE)
_DECADE_RE = re.compile(r"^'?(\d{2}|\d{4})'?s$")
_PLAIN_NUMBER_RE = re.compile(rf"^(?:{_NUMBER})$")
_UNIT_RE = re.compile(rf"^({_NUMBER})([a-z°]+)$", re.IGNORECASE)
_TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})(am|pm)?$", re.IGNORECASE)
_RANGE_RE = re.compile(rf"^({_NUMBER})[-/]({_NUMBER})$")
_ROMAN_RE = re.compile(
    r"^(?=[MDCLXVI]{2,}$)M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$"
)
_ROMAN = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
_WORD_PART = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+")


def _strip(token: str) -> str:
    token = token.translate(_APOSTROPHES).translate(_DASHES)
    previous = None
    while previous != token:
        previous = token
        token = token.strip(_EDGE).rstrip(_TRAILING)
        if token.endswith("'") and not token.lower().endswith("s'"):
            token = token[:-1]
        token = token.lstrip("'")
    return token


def _roman(text: str) -> int:
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN[ch]
        following = _ROMAN[text[i + 1]] if i + 1 < len(text) else 0
        total += -value if value < following else value
    return total


# Words of the sound descriptions captioners put in parentheses ("(laughs)",
# "(upbeat music)"); anything in square brackets is taken as one regardless.
_SOUND_WORDS = frozenset(
    "music musical playing plays upbeat gentle soft dramatic applause applauding clapping"
    " laughter laughs laughing chuckles chuckling coughs coughing cough sighs sighing"
    " inaudible indistinct unintelligible crosstalk silence pause pauses noise noises"
    " background beep beeping bell rings ringing speaks speaking foreign language"
    " sound sounds effect effects audience cheering cheers breathing inhales exhales".split()
)


def transcript_forms(tokens: Sequence[str]) -> tuple[tuple[Spoken, ...], ...]:
    """``spoken_forms`` of every token, except that sound descriptions are silent:
    ``[MUSIC PLAYING]`` and ``(laughs)`` describe audio, nobody says them."""
    silent = [False] * len(tokens)
    start: int | None = None
    for i, token in enumerate(tokens):
        if start is None and token.lstrip("\"'“‘").startswith(("[", "(")):
            start = i
        if start is not None and token.rstrip(_TRAILING + "\"'”’").endswith(("]", ")")):
            span = tokens[start : i + 1]
            bracket = span[0].lstrip("\"'“‘")[0]
            words = [_strip(t).strip("[]()").lower() for t in span]
            if bracket == "[" or all(w in _SOUND_WORDS for w in words if w):
                for k in range(start, i + 1):
                    silent[k] = True
            start = None
    return tuple(() if quiet else spoken_forms(t) for t, quiet in zip(tokens, silent, strict=True))


def spoken_forms(token: str) -> tuple[Spoken, ...]:
    """The ways ``token`` may be spoken, most likely first; () when it is silent
    (a dash, a lone bullet)."""
    bare = _strip(token)
    if not bare:
        return ()
    readings = _readings(bare, had_period=token.rstrip(_EDGE).endswith("."))
    unique: dict[Spoken, None] = {}
    for reading in readings:
        words = tuple(w for w in reading if w)
        if words:
            unique.setdefault(words)
    return tuple(unique)


def _readings(bare: str, *, had_period: bool) -> list[list[str]]:
    lower = bare.lower()
    if lower in _ABBREVIATIONS and (
        had_period or not lower.isalpha() or lower in _BARE_ABBREVIATIONS
    ):
        return _ABBREVIATIONS[lower] + [_letters_or_word(lower)]
    if lower in _FRACTIONS:
        return _FRACTIONS[lower]
    if _DOTTED.fullmatch(lower):
        return [[c for c in lower if c.isalpha()]]  # "U.S.", "Ph.D.", "a.m."
    if (m := _CURRENCY_RE.match(bare)) is not None:
        return _money(m.group(1), m.group(2), m.group(3))
    if (m := _PERCENT_RE.match(bare)) is not None:
        return [[*r, "percent"] for r in _number(m.group(1))] + [
            [*r, "per", "cent"] for r in _number(m.group(1))
        ]
    if (m := _ORDINAL_RE.match(bare)) is not None:
        return [ordinal(int(m.group(1)))]
    if (m := _DECADE_RE.match(bare)) is not None:
        return _decade(int(m.group(1)))
    if _PLAIN_NUMBER_RE.match(bare):
        return _number(bare)
    if (m := _TIME_RE.match(bare)) is not None:
        hours, minutes = int(m.group(1)), int(m.group(2))
        tail = list(m.group(3).lower()) if m.group(3) else []
        spoken_minutes = ["o'clock"] if minutes == 0 else _number(m.group(2))[0]
        if 1 <= minutes <= 9:
            spoken_minutes = ["oh", _ONES[minutes]]
        return [cardinal(hours) + spoken_minutes + tail]
    if (m := _UNIT_RE.match(bare)) is not None:
        unit = m.group(2).lower()
        numbers = _number(m.group(1))
        letters = [c for c in unit if c.isalpha()]
        if unit in ("am", "pm"):
            return [r + letters for r in numbers]
        if unit in _UNITS:
            return [[*r, _UNITS[unit]] for r in numbers] + [r + letters for r in numbers]
        if unit in _SCALE_SUFFIX:
            return [[*r, _SCALE_SUFFIX[unit]] for r in numbers]
    if (m := _RANGE_RE.match(bare)) is not None:
        left, right = _number(m.group(1)), _number(m.group(2))
        return [left[0] + ["to"] + right[0], left[0] + right[0]]
    if _ROMAN_RE.match(bare):
        n = _roman(bare)
        return [cardinal(n), ["the", *ordinal(n)], ordinal(n), _letters_or_word(lower)]
    if bare.isupper() and bare.isalpha() and len(bare) >= 2:
        # An acronym: spelled ("N H S") or read as a word ("NASA"); the audio decides.
        return [list(lower), [lower]]
    if bare.isalpha() and bare.isupper() is False and "'" not in bare:
        return [[lower]]
    return [_parts(bare)]


def _letters_or_word(lower: str) -> list[str]:
    letters = [c for c in lower if c.isalpha()]
    return letters if len(letters) <= 3 else [lower.replace(".", "")]


def _money(symbol: str, amount: str, scale: str | None) -> list[list[str]]:
    unit, units, small, smalls = _CURRENCY[symbol]
    whole, _, pence = amount.replace(",", "").partition(".")
    if scale:
        return [[*r, _SCALE_SUFFIX[scale.lower()], units] for r in _number(amount)]
    n = int(whole) if whole else 0
    major = [*cardinal(n), unit if n == 1 else units]
    if pence and int(pence):
        p = int(pence.ljust(2, "0")[:2])
        return [
            [*major, *cardinal(p)],
            [*major, "and", *cardinal(p), small if p == 1 else smalls],
            [*cardinal(n), "point", *_digits(pence)],
        ]
    return [major]


def _parts(bare: str) -> list[str]:
    """Mixed tokens ("co-operate", "covid-19", "2nd-year", "R&D", "and/or") as
    their parts, each read as a token of its own.

    A hyphenated word is first tried whole without hyphens by the pronouncer (it
    knows "cooperate"), so keep it joined when it is letters only."""
    lower = bare.lower()
    acronym_part = any(len(p) > 1 and p.isupper() for p in bare.split("-"))
    if re.fullmatch(r"[a-z]+(?:-[a-z]+)+", lower) and not acronym_part:
        return [lower]
    spelled = bare
    for symbol, spoken in _SYMBOLS.items():
        spelled = spelled.replace(symbol, f" {spoken} ")
    pieces = [p for p in re.split(r"[\s/\-:]+", spelled) if p]
    if len(pieces) > 1:
        words: list[str] = []
        for piece in pieces:
            readings = _readings(piece, had_period=False)
            words += readings[0] if readings else []
        return words
    words = []
    for part in _WORD_PART.findall(lower):
        if part.isdigit():
            words += _number(part)[0]
        else:
            words.append(part)
    return words


# --- pronunciation ---------------------------------------------------------------

# Letter-to-sound rules for words neither the dictionary nor compounding covers:
# longest grapheme first. Rough, but a near pronunciation aligns far better than
# none, and the aligner's wide beams tolerate a wrong vowel.
_GRAPHEMES: tuple[tuple[str, str], ...] = (
    ("tion", "SH AH N"),
    ("sion", "ZH AH N"),
    ("ture", "CH ER"),
    ("ough", "AO"),
    ("augh", "AO"),
    ("eigh", "EY"),
    ("igh", "AY"),
    ("tch", "CH"),
    ("dge", "JH"),
    ("sch", "S K"),
    ("qu", "K W"),
    ("ph", "F"),
    ("sh", "SH"),
    ("ch", "CH"),
    ("th", "TH"),
    ("wh", "W"),
    ("ck", "K"),
    ("ng", "NG"),
    ("kn", "N"),
    ("wr", "R"),
    ("gh", "G"),
    ("ee", "IY"),
    ("ea", "IY"),
    ("ie", "IY"),
    ("oo", "UW"),
    ("ou", "AW"),
    ("ow", "OW"),
    ("oi", "OY"),
    ("oy", "OY"),
    ("ai", "EY"),
    ("ay", "EY"),
    ("oa", "OW"),
    ("au", "AO"),
    ("aw", "AO"),
    ("ew", "UW"),
    ("ue", "UW"),
    ("ei", "EY"),
    ("ey", "IY"),
    ("ar", "AA R"),
    ("er", "ER"),
    ("ir", "ER"),
    ("ur", "ER"),
    ("or", "AO R"),
    ("a", "AE"),
    ("e", "EH"),
    ("i", "IH"),
    ("o", "AA"),
    ("u", "AH"),
    ("b", "B"),
    ("d", "D"),
    ("f", "F"),
    ("h", "HH"),
    ("j", "JH"),
    ("k", "K"),
    ("l", "L"),
    ("m", "M"),
    ("n", "N"),
    ("p", "P"),
    ("r", "R"),
    ("t", "T"),
    ("v", "V"),
    ("w", "W"),
    ("x", "K S"),
    ("z", "Z"),
)
_SINGLE = {g: sound for g, sound in _GRAPHEMES if len(g) == 1}
_LETTER_NAMES = {
    "a": "EY",
    "b": "B IY",
    "c": "S IY",
    "d": "D IY",
    "e": "IY",
    "f": "EH F",
    "g": "JH IY",
    "h": "EY CH",
    "i": "AY",
    "j": "JH EY",
    "k": "K EY",
    "l": "EH L",
    "m": "EH M",
    "n": "EH N",
    "o": "OW",
    "p": "P IY",
    "q": "K Y UW",
    "r": "AA R",
    "s": "EH S",
    "t": "T IY",
    "u": "Y UW",
    "v": "V IY",
    "w": "D AH B AH L Y UW",
    "x": "EH K S",
    "y": "W AY",
    "z": "Z EH D",
}
_VOWEL_LETTERS = "aeiouy"
_MIN_PART = 3  # shorter dictionary "words" ("ab", "ed") make silly compounds


def letter_to_sound(word: str) -> str:
    """Phones for ``word`` from spelling rules alone."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    if not letters:
        return ""
    if len(letters) == 1:
        return _LETTER_NAMES[letters]
    # A final silent e ("make", "bowlbye") lengthens nothing we model; drop it.
    if letters.endswith("e") and len(letters) > 3 and letters[-2] not in _VOWEL_LETTERS:
        letters = letters[:-1]
    phones: list[str] = []
    i = 0
    while i < len(letters):
        ch = letters[i]
        following = letters[i + 1] if i + 1 < len(letters) else ""
        for grapheme, sound in _GRAPHEMES:
            if len(grapheme) > 1 and letters.startswith(grapheme, i):
                phones += sound.split()
                i += len(grapheme)
                break
        else:
            if ch == "c":
                phones.append("S" if following in ("e", "i", "y") else "K")
            elif ch == "g":
                phones.append("JH" if following in ("e", "i", "y") else "G")
            elif ch == "s":
                voiced = 0 < i < len(letters) - 1 and letters[i - 1] in _VOWEL_LETTERS
                phones.append("Z" if voiced and following in _VOWEL_LETTERS else "S")
            elif ch == "y":
                phones.append("Y" if i == 0 else ("IY" if not following else "IH"))
            else:
                phones += _SINGLE.get(ch, "").split()
            i += 1
        # Doubled consonants are one sound ("mellow", "vipp").
        while i < len(letters) and letters[i] == letters[i - 1] and letters[i] not in "eo":
            i += 1
    return " ".join(phones)


class Pronouncer:
    """Pronunciations for any word, from ``lookup`` (the recogniser's dictionary:
    word -> phones or None) first."""

    def __init__(self, lookup: Callable[[str], str | None]) -> None:
        self._lookup = lookup
        self._cache: dict[str, str] = {}

    def known(self, word: str) -> bool:
        return self._lookup(word) is not None

    def phones(self, word: str) -> str:
        """ARPABET phones for ``word`` (never empty for a word with letters or digits)."""
        if word in self._cache:
            return self._cache[word]
        found = self._lookup(word) or self._build(word)
        self._cache[word] = found
        return found

    def _build(self, word: str) -> str:
        joined = word.replace("-", "").replace("'", "")
        if joined != word and (found := self._lookup(joined)):
            return found
        if "-" in word:
            return " ".join(self.phones(p) for p in word.split("-") if p)
        if word.endswith("s'"):
            return self.phones(word[:-1])  # "parents'" sounds as "parents"
        if word.endswith("'s"):
            base_phones = self.phones(word[:-2]) if word[:-2] else ""
            last = base_phones.split()[-1] if base_phones else ""
            if last in ("S", "Z", "SH", "ZH", "CH", "JH"):
                suffix = "IH Z"
            elif last in ("P", "T", "K", "F", "TH"):
                suffix = "S"
            else:
                suffix = "Z"
            return f"{base_phones} {suffix}".strip()
        if word.isdigit():
            return " ".join(self.phones(w) for w in cardinal(int(word)))
        split = self._compound(joined)
        if split:
            return " ".join(self.phones(p) for p in split)
        return letter_to_sound(joined) or "AH"

    def _compound(self, word: str) -> list[str] | None:
        """Two or three dictionary words that spell ``word``, longest first part first."""
        for cut in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
            head, tail = word[:cut], word[cut:]
            if self._lookup(head) is None:
                continue
            if self._lookup(tail) is not None:
                return [head, tail]
            for cut2 in range(len(tail) - _MIN_PART, _MIN_PART - 1, -1):
                if self._lookup(tail[:cut2]) is not None and self._lookup(tail[cut2:]) is not None:
                    return [head, tail[:cut2], tail[cut2:]]
        return None
