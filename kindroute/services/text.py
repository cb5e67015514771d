"""Checking and normalising text and dates that users type."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from kindroute.errors import InvalidInput
from kindroute.store.tables import NAME_MAX, TEXT_MAX

TUSSENVOEGSELS = {
    "van", "de", "der", "den", "het", "ter", "ten", "te", "in", "'t", "op", "la", "le",
    "du", "da", "di", "del", "von", "zu", "vd", "v.d.", "d'", "l'", "uit", "aan",
}

# C0/C1 control characters except tab and newline (kept in notes), and the bidirectional
# embedding/override/isolate controls, which can make text look other than it is.
# Right-to-left scripts themselves need none of these and are kept as typed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def fold(value: str) -> str:
    """Lower-case and strip accents: 'Ömer Çelik' -> 'omer celik' (for filtering)."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


_WORD_PARTS = re.compile(r"[-'’]")


def name_words(name: str) -> set[str]:
    """The words a name is found by: each folded word, and the parts of a hyphenated or
    apostrophed word ('Jan-Willem d'Ancona' -> jan-willem, jan, willem, d'ancona, d, ancona)."""
    words: set[str] = set()
    for word in fold(name).split():
        words.add(word)
        words.update(part for part in _WORD_PARTS.split(word) if part)
    return words


def search_words(text: str) -> list[str]:
    """What a filter text asks for: folded words, each to be the start of a word of the name."""
    return sorted(set(fold(text).split()))


def split_name(name: str) -> tuple[str, str, str]:
    """Split a Dutch name into first name, tussenvoegsel and last name (for sorting)."""
    parts = name.split()
    if len(parts) == 1:
        return parts[0], "", parts[0]
    first = parts[0]
    rest = parts[1:]
    tv: list[str] = []
    while len(rest) > 1 and rest[0].casefold() in TUSSENVOEGSELS:
        tv.append(rest.pop(0))
    return first, " ".join(tv), " ".join(rest)


def check_name(value: str, what: str = "Naam") -> str:
    """A name: not empty, not too long, no control characters. Returned exactly as given."""
    if value is None or not value.strip():
        raise InvalidInput(f"{what} is leeg.")
    if len(value) > NAME_MAX:
        raise InvalidInput(f"{what} is te lang ({len(value)} tekens, maximaal {NAME_MAX}).")
    if _CONTROL.search(value) or "\n" in value or "\t" in value:
        raise InvalidInput(f"{what} bevat stuurtekens; die zijn niet toegestaan.")
    return value


def check_text(value: str, what: str = "Tekst", *, required: bool = True) -> str:
    """Free text (a note, an agreement): kept literally, minus control characters."""
    value = value or ""
    if required and not value.strip():
        raise InvalidInput(f"{what} is leeg.")
    if len(value) > TEXT_MAX:
        raise InvalidInput(f"{what} is te lang ({len(value)} tekens, maximaal {TEXT_MAX}).")
    if _CONTROL.search(value):
        raise InvalidInput(
            f"{what} bevat stuurtekens (bijvoorbeeld escape-codes); die zijn niet toegestaan."
        )
    return value


#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: ``'`` before text that would start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


#: Every date a user gives lies within these years (a typo like 9999 is refused, not stored).
YEAR_MIN, YEAR_MAX = 1900, 2100


def parse_date(value: str | date, what: str = "Datum") -> date:
    """A date from ISO (JJJJ-MM-DD) or Dutch (D-M-JJJJ) text, within 1900–2100."""
    return check_date_range(_parse_date(value, what), what)


def check_date_range(day: date, what: str = "Datum") -> date:
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise InvalidInput(f"{what} {day.isoformat()} ligt buiten {YEAR_MIN}–{YEAR_MAX}.")
    return day


def _parse_date(value: str | date, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        pass
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4})", (value or "").strip())
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    raise InvalidInput(f"{what} '{value}' is geen geldige datum (gebruik JJJJ-MM-DD).")


def check_group(value: int | str) -> int:
    try:
        group = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"Groep '{value}' is geen getal van 1 tot en met 8.") from None
    if not 1 <= group <= 8:
        raise InvalidInput(f"Groep {group} bestaat niet in het basisonderwijs (1 tot en met 8).")
    return group


def check_birth_date(born: date, today: date) -> date:
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if born > today:
        raise InvalidInput(f"Geboortedatum {born.isoformat()} ligt in de toekomst.")
    if not 2 <= age <= 16:
        raise InvalidInput(
            f"Geboortedatum {born.isoformat()} geeft leeftijd {age}; "
            "een leerling in het basisonderwijs is 2 tot 16 jaar."
        )
    return born
