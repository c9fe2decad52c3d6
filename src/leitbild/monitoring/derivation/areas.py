"""Match area codes and names as statistics files spell them — forgiving, never guessing.

Areas form a hierarchy city → borough (Stadtbezirk) → district (Stadtteil), each with an
official code. A given value is tried in stages; the first stage with any candidate
decides, and it must have exactly one:

1. exact code (``"34"``), then the same number without leading zeros (``"034"``);
2. exact name, ignoring case;
3. normalised name: case folded, the city's name as a prefix removed (``Münster-Hiltrup``
   → ``Hiltrup``), ``ä/ö/ü`` = ``ae/oe/ue`` = ``a/o/u``, ``ß`` = ``ss``, hyphens, spaces
   and dots removed (``Süd-Ost`` = ``Südost``, ``Berg Fidel`` = ``Berg-Fidel``); the city
   also answers to ``Gesamtstadt``, ``Stadt <name>``, ``<name> insgesamt``;
4. a unique prefix of at least 5 characters of a normalised name (``Düesberg`` →
   ``Düesbergweg``).

Several candidates in a stage, or none at all, give no match and a message naming the
value and up to three suggestions. Stages 1b, 3 and 4 come with a note (``'Düesberg'
read as 'Düesbergweg' (34)``) so imports can report what they read.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

LEVELS = ("city", "borough", "district")
MIN_PREFIX = 5
DEFAULT_CITY_PREFIXES = ("Münster",)
_REMOVE_RE = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_SEPARATOR = r"[\s.\-\u2010-\u2015\u2212]+"


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # "city" | "borough" | "district"


def _variants(text: str) -> tuple[str, str]:
    """Two spellings of the folded text: umlauts as ``ae`` and without accents."""
    folded = unicodedata.normalize("NFC", text).strip().casefold()  # ß → ss
    transliterated = folded.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return _strip_accents(transliterated), _strip_accents(folded)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class AreaMatcher:
    """Resolve codes and names of the given areas; see the module docstring."""

    def __init__(self, areas: Iterable[Area], *, city_prefixes: Iterable[str] | None = None):
        self.areas = list(areas)
        cities = [a for a in self.areas if a.level == "city"]
        prefixes = [c.name for c in cities]
        prefixes += list(DEFAULT_CITY_PREFIXES if city_prefixes is None else city_prefixes)
        prefix_keys = sorted(
            {v for p in prefixes for v in _variants(p) if v}, key=len, reverse=True
        )
        self._prefix_re = (
            re.compile(rf"^(?:{'|'.join(re.escape(p) for p in prefix_keys)}){_SEPARATOR}(?=\S)")
            if prefix_keys
            else None
        )
        self._keys: list[tuple[Area, frozenset[str]]] = []
        for area in self.areas:
            keys = set(self._normalise(area.name))
            if area.level == "city" and len(cities) == 1:
                plain = {k for v in _variants(area.name) for k in [_REMOVE_RE.sub("", v)]}
                keys |= {"gesamtstadt", "insgesamt", "gesamt", "stadtgesamt"}
                for k in plain:
                    keys |= {f"stadt{k}", f"{k}gesamt", f"{k}insgesamt", f"gesamtstadt{k}"}
            self._keys.append((area, frozenset(k for k in keys if k)))

    def _normalise(self, text: str) -> set[str]:
        keys = set()
        for variant in _variants(text):
            if self._prefix_re is not None:
                variant = self._prefix_re.sub("", variant)
            keys.add(_REMOVE_RE.sub("", variant))
        return keys

    def resolve(self, given: str) -> tuple[Area | None, str | None]:
        """``(area, None)`` on a sure match, ``(None, message)`` otherwise."""
        area, message, _note = self.resolve_with_note(given)
        return area, message

    def resolve_with_note(self, given: str) -> tuple[Area | None, str | None, str | None]:
        """Like :meth:`resolve`; the third element notes a match that was not exact."""
        text = (given or "").strip()
        if not text:
            return None, "the area is blank", None

        stages: list[tuple[list[Area], bool]] = []
        stages.append(([a for a in self.areas if a.code == text], False))
        if text.isdigit():
            number = int(text)
            stages.append(
                ([a for a in self.areas if a.code.isdigit() and int(a.code) == number], True)
            )
        folded = text.casefold()
        stages.append(([a for a in self.areas if a.name.strip().casefold() == folded], False))
        keys = self._normalise(text)
        stages.append(([a for a, ks in self._keys if ks & keys], True))
        long_keys = {k for k in keys if len(k) >= MIN_PREFIX}
        stages.append(
            (
                [a for a, ks in self._keys if any(k.startswith(g) for k in ks for g in long_keys)],
                True,
            )
        )
        for candidates, forgiving in stages:
            unique = list(dict.fromkeys(candidates))
            if len(unique) == 1:
                area = unique[0]
                note = f"'{text}' read as {_label(area)}" if forgiving else None
                return area, None, note
            if len(unique) > 1:
                ranked = self._rank(keys, unique)
                shown = [_label(a) for a in ranked[:3]]
                more = f" and {len(ranked) - 3} more" if len(ranked) > 3 else ""
                listing = _or_list(shown) if not more else ", ".join(shown) + more
                return (
                    None,
                    f"the area '{text}' is ambiguous: it could be {listing}; "
                    "give the full name or the code",
                    None,
                )
        suggestions = [_label(a) for a in self._suggest(keys)]
        if suggestions:
            return (
                None,
                f"there is no area '{text}'; did you mean {_or_list(suggestions)}?",
                None,
            )
        return None, f"there is no area '{text}' and no area with a similar name", None

    def _rank(self, keys: set[str], areas: list[Area]) -> list[Area]:
        def score(area: Area) -> float:
            own = next(ks for a, ks in self._keys if a is area)
            return max(
                (difflib.SequenceMatcher(None, g, k).ratio() for g in keys for k in own),
                default=0.0,
            )

        return sorted(areas, key=lambda a: (-score(a), a.name))

    def _suggest(self, keys: set[str]) -> list[Area]:
        by_key: dict[str, list[Area]] = {}
        for area, ks in self._keys:
            for k in ks:
                by_key.setdefault(k, []).append(area)
        found: dict[Area, float] = {}
        for g in keys:
            for k in difflib.get_close_matches(g, list(by_key), n=6, cutoff=0.6):
                ratio = difflib.SequenceMatcher(None, g, k).ratio()
                for area in by_key[k]:
                    found[area] = max(found.get(area, 0.0), ratio)
        return sorted(found, key=lambda a: (-found[a], a.name))[:3]


def _label(area: Area) -> str:
    return f"'{area.name}' ({area.code})"


def _or_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"
