"""Plain-text helpers: German stemming for search, word diffs, HTML sanitising."""

import difflib
import html
import re
from functools import lru_cache

import nh3
import snowballstemmer

WORD_RE = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿĀ-žẞß]+(?:-[0-9A-Za-zÀ-ÖØ-öø-ÿĀ-žẞß]+)*")
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

ALLOWED_TAGS = {"p", "ul", "ol", "li", "em", "strong", "i", "b", "sup", "a", "br", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "id", "class"}, "sup": {"id", "class"}, "li": {"id"}}


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("german")


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


def stems(text: str) -> list[str]:
    """German Snowball stems, the same algorithm PostgreSQL's ``german`` config uses."""
    return [stem(word) for word in words(text)]


def search_index(text: str) -> str:
    """A space-delimited stem string; ``" sprach"`` finds "Sprache", "Sprachen" …"""
    return " " + " ".join(stems(text)) + " "


def sanitize_html(value: str) -> str:
    return nh3.clean(value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)


def strip_tags(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", value)).replace("  ", " ").strip()


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as ``[(op, text)]`` with op ``equal``, ``delete`` or ``insert``."""
    old_tokens = re.findall(r"\S+\s*", old)
    new_tokens = re.findall(r"\S+\s*", new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("equal", "".join(old_tokens[i1:i2])))
        else:
            if i2 > i1:
                parts.append(("delete", "".join(old_tokens[i1:i2])))
            if j2 > j1:
                parts.append(("insert", "".join(new_tokens[j1:j2])))
    return parts


def similarity(a: str | list[str], b: str | list[str]) -> float:
    """How alike two goal texts are, 0…1, on their word stems (order-aware).

    Either argument may be a precomputed ``stems()`` list.
    """
    sa = stems(a) if isinstance(a, str) else a
    sb = stems(b) if isinstance(b, str) else b
    if not sa or not sb:
        return 0.0
    return difflib.SequenceMatcher(a=sa, b=sb, autojunk=False).ratio()


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
