"""Pupils from the school's own administration: a ParnasSys-style export, or kindroute's simple CSV.

Two formats are recognised by their header:

* **ParnasSys-style**: ``Achternaam``, ``Voorvoegsel`` (or ``Tussenvoegsel``; may be absent),
  ``Roepnaam``, ``Geboortedatum`` and ``Groep`` and/or ``Stamgroep``; other columns are ignored.
* **Simple**: ``naam``, ``geboortedatum``, ``groep``.

Files may be ``;`` or ``,`` separated, UTF-8 with or without BOM, or Windows-1252; dates
``dd-mm-jjjj`` (also ``d-m-jjjj``, ``dd/mm/jjjj`` and ``jjjj-mm-dd``). Groups read as ``5``,
``5A``, ``8b``, ``groep 6``, or a combination group ``3/4``: then the pupil's own year comes from
the other group column, or else from the age.

Each row is matched on name + date of birth + school: **new**, **updated** (its group changed),
**unchanged**, or **refused** with the reason. A name is taken exactly as it stands: a name that
kindroute would have to change (spaces around it, control characters, a line break) is refused,
never altered; so are duplicate columns and rows. All or nothing: one refused row and nothing is
written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kindroute.errors import AccessDenied, Conflict, InvalidInput
from kindroute.services import access
from kindroute.services.dto import Actor
from kindroute.services.text import check_birth_date, check_name, fold
from kindroute.store.models import Case, Pupil
from kindroute.store.uow import UnitOfWork

if TYPE_CHECKING:
    from kindroute.services.core import Services

SIMPLE = ("naam", "geboortedatum", "groep")
PARNASSYS_NAME = ("achternaam", "roepnaam")
TUSSENVOEGSEL = ("voorvoegsel", "tussenvoegsel", "voorvoegsels")
GROUP_COLUMNS = ("groep", "stamgroep")
MAX_FILE_BYTES = 20_000_000
CHUNK = 500

#: told (rows written, rows to write) while writing
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Row:
    """A row that can be imported: where it stood, and the pupil it describes."""

    line: int
    name: str
    born: date
    group: int
    remark: str = ""


@dataclass(frozen=True)
class Refused:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"regel {self.line}: {self.reason}"


@dataclass
class ImportReport:
    """What an import does (or, dry run or refused, would do)."""

    path: str
    kind: str  # "ParnasSys-export" | "eenvoudig"
    school: str = ""
    rows: list[Row] = field(default_factory=list)
    new: list[Row] = field(default_factory=list)
    updated: list[tuple[Row, int]] = field(default_factory=list)  # (row, old group)
    unchanged: list[Row] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False


# ---------------------------------------------------------------------- reading the file


def decode(raw: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 — what school systems write."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is geen tekstbestand in UTF-8 of Windows-1252; sla het op als "
                           "CSV (UTF-8).") from None


def read_file(path: str) -> str:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(f"{path} is groter dan {MAX_FILE_BYTES // 1_000_000} MB; splits het bestand.")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"Bestand {path} bestaat niet.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is een map, geen bestand.") from None
    except OSError as exc:
        raise InvalidInput(f"{path} kan niet gelezen worden: {exc.strerror}.") from None
    return decode(raw, path)


_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_birth_date(value: str) -> date:
    m = _DATE.fullmatch(value)
    day, month, year = (m.group(1), m.group(2), m.group(3)) if m else (None, None, None)
    if m is None and (iso := _ISO.fullmatch(value)):
        year, month, day = iso.groups()
    if year is None:
        raise InvalidInput(f"geboortedatum '{value}' is geen datum (dd-mm-jjjj)")
    try:
        return date(int(year), int(month), int(day))  # type: ignore[arg-type]
    except ValueError:
        raise InvalidInput(f"geboortedatum '{value}' bestaat niet") from None


_GROUP_PREFIX = re.compile(r"^(groep|gr\.?)\s*", re.IGNORECASE)
_GROUP = re.compile(r"(\d{1,2})(?:\s*[/&+-]\s*(\d{1,2}))*\s*[a-zA-Z]?")


def parse_group(value: str) -> list[int]:
    """The school years a group holds: '5' and '5A' -> [5]; '3/4' -> [3, 4]; '' -> []."""
    text = _GROUP_PREFIX.sub("", value.strip())
    if not text:
        return []
    if not _GROUP.fullmatch(text):
        raise InvalidInput(f"groep '{value}' is niet te lezen (bijv. 5, 5A, 3/4)")
    years = [int(n) for n in re.findall(r"\d{1,2}", text)]
    bad = [n for n in years if not 1 <= n <= 8]
    if bad:
        raise InvalidInput(f"groep '{value}': groep {bad[0]} bestaat niet in het basisonderwijs (1–8)")
    return sorted(set(years))


def expected_group(born: date, today: date) -> int:
    """The school year a pupil of this age is usually in (groep 1 from age 4, at 1 October)."""
    year = today.year if today.month >= 8 else today.year - 1
    oct1 = date(year, 10, 1)
    age = oct1.year - born.year - ((oct1.month, oct1.day) < (born.month, born.day))
    return min(8, max(1, age - 3))


def _exact(value: str, what: str) -> str:
    """A name part as it stands, or refused: kindroute never changes a name."""
    if value != value.strip():
        raise InvalidInput(f"{what} '{value}' begint of eindigt met een spatie; kindroute verandert "
                           "geen namen — pas het bestand aan")
    if "\n" in value or "\r" in value:
        raise InvalidInput(f"{what} bevat een regeleinde; kindroute verandert geen namen — pas het "
                           "bestand aan")
    return value


class _Columns:
    """Where each column the import uses stands, and which format the header says."""

    def __init__(self, header: list[str], path: str) -> None:
        names = [h.strip().lstrip("\ufeff").lower() for h in header]
        seen: dict[str, int] = {}
        dupes = []
        for i, n in enumerate(names):
            if n and n in seen:
                dupes.append(f"'{header[i].strip()}' (kolom {seen[n] + 1} en {i + 1})")
            seen.setdefault(n, i)
        self.at = seen
        if all(c in seen for c in PARNASSYS_NAME):
            self.kind = "ParnasSys-export"
            need = [*PARNASSYS_NAME, "geboortedatum"]
            self.tussenvoegsel = next((c for c in TUSSENVOEGSEL if c in seen), None)
            used = [*need, *(c for c in GROUP_COLUMNS if c in seen),
                    *([self.tussenvoegsel] if self.tussenvoegsel else [])]
            missing = [c for c in need if c not in seen]
            if not any(c in seen for c in GROUP_COLUMNS):
                missing.append("groep of stamgroep")
        else:
            self.kind = "eenvoudig"
            used = list(SIMPLE)
            missing = [c for c in SIMPLE if c not in seen]
        if missing:
            raise InvalidInput(
                f"{path}, regel 1: kolom(men) {', '.join(missing)} ontbreken; verwacht "
                f"{','.join(SIMPLE)} of een ParnasSys-export (Achternaam, Voorvoegsel, Roepnaam, "
                f"Geboortedatum, Groep, Stamgroep) (gevonden: {','.join(h.strip() for h in header)})."
            )
        dupes = [d for d in dupes if d.split("'")[1].lower() in used]
        if dupes:
            raise InvalidInput(f"{path}, regel 1: kolom {', '.join(dupes)} staat twee keer in de kopregel; "
                               "kindroute kiest niet zelf welke geldt — er is niets ingelezen.")
        self.width = len(header)

    def cell(self, row: list[str], name: str | None) -> str:
        if name is None or name not in self.at or self.at[name] >= len(row):
            return ""
        return row[self.at[name]]


def _row(cols: _Columns, cells: list[str], line: int, today: date) -> Row:
    if cols.kind == "eenvoudig":
        name = _exact(cols.cell(cells, "naam"), "naam")
    else:
        first = _exact(cols.cell(cells, "roepnaam"), "roepnaam")
        tv = _exact(cols.cell(cells, cols.tussenvoegsel), "voorvoegsel")
        last = _exact(cols.cell(cells, "achternaam"), "achternaam")
        if not first or not last:
            raise InvalidInput("roepnaam of achternaam is leeg")
        name = " ".join(p for p in (first, tv, last) if p)
    check_name(name, "naam")
    born_text = cols.cell(cells, "geboortedatum").strip()
    born = check_birth_date(parse_birth_date(born_text), today)
    main = parse_group(cols.cell(cells, "groep"))
    other = parse_group(cols.cell(cells, "stamgroep"))
    label = cols.cell(cells, "groep").strip() or cols.cell(cells, "stamgroep").strip()
    if len(main) == 1:
        return Row(line, name, born, main[0])
    if not main and len(other) == 1:
        return Row(line, name, born, other[0])
    candidates = main or other
    if not candidates:
        raise InvalidInput("groep is leeg")
    if len(other) == 1 and other[0] in candidates:
        return Row(line, name, born, other[0])
    want = expected_group(born, today)
    chosen = min(candidates, key=lambda g: (abs(g - want), g))
    return Row(line, name, born, chosen, f"combinatiegroep {label}: groep {chosen} naar leeftijd")


def parse(text: str, path: str, today: date) -> ImportReport:
    """Every row of the file read and checked (nothing touches the database)."""
    if not text.strip():
        raise InvalidInput(f"{path} is leeg; verwacht de kolommen {','.join(SIMPLE)} of een "
                           "ParnasSys-export.")
    first = text.lstrip("\ufeff").splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InvalidInput(f"{path}, regel 1: {_csv_problem(exc)}") from None
    cols = _Columns(header, path)
    report = ImportReport(path=path, kind=cols.kind)
    seen: dict[tuple[str, date], int] = {}
    try:
        line_end = reader.line_num
        for cells in reader:
            line, line_end = line_end + 1, reader.line_num  # a quoted field may span lines
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != cols.width:
                report.refused.append(Refused(line, f"{len(cells)} kolom(men), verwacht {cols.width}"))
                continue
            try:
                row = _row(cols, cells, line, today)
            except InvalidInput as exc:
                report.refused.append(Refused(line, exc.message))
                continue
            key = (row.name, row.born)
            if key in seen:
                report.refused.append(Refused(line, f"{row.name} ({row.born:%d-%m-%Y}) staat ook op regel "
                                                    f"{seen[key]}"))
                continue
            seen[key] = line
            report.rows.append(row)
    except csv.Error as exc:
        report.refused.append(Refused(reader.line_num, f"niet te lezen: {_csv_problem(exc)}"))
    return report


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint in Dutch (e.g. a field over its limit of 128 kB)."""
    if "field larger" in str(exc):
        return "een veld is groter dan 131.072 tekens"
    return f"het bestand is niet te lezen als CSV ({exc})"


# ---------------------------------------------------------------------- matching and writing


def import_pupils(svc: Services, actor: Actor, school: str | int, path: str, *, dry_run: bool = False,
                  progress: Progress | None = None) -> ImportReport:
    """Read ``path`` and bring the school's pupils in line with it: all rows, or none."""
    from kindroute.services.people import new_pupil
    from kindroute.services.staff import find_school

    report = parse(read_file(path), path, svc.today())
    report.dry_run = dry_run
    with UnitOfWork(svc.db, write=not dry_run) as uow:
        s = uow.session
        school_row = find_school(s, school)
        report.school = school_row.name
        if not access.manages_school(actor, school_row.id, svc.route):
            raise AccessDenied(f"Alleen de IB of directeur van {school_row.name} kan leerlingen inlezen.")
        existing: dict[tuple[str, date], Pupil] = {}
        loosely: dict[tuple[str, date], str] = {}
        for p in s.scalars(select(Pupil).where(Pupil.school_id == school_row.id)):
            existing[(p.name, p.date_of_birth)] = p
            loosely[(fold(p.name), p.date_of_birth)] = p.name
        for row in report.rows:
            pupil = existing.get((row.name, row.born))
            if pupil is None:
                near = loosely.get((fold(row.name), row.born))
                if near is not None:
                    report.refused.append(Refused(row.line, f"{row.name} lijkt op leerling '{near}' met "
                                                            "dezelfde geboortedatum; schrijf de naam gelijk"))
                else:
                    report.new.append(row)
            elif pupil.group != row.group:
                report.updated.append((row, pupil.group))
            else:
                report.unchanged.append(row)
        report.refused.sort(key=lambda r: r.line)
        if dry_run or report.refused:
            return report
        total = len(report.new) + len(report.updated)
        changed: list[Pupil] = []
        for row, _old in report.updated:
            changed.append(existing[(row.name, row.born)])
            changed[-1].group = row.group
        # the cases of a changed pupil: the change is an event of each (locked before the history's head)
        ids = [p.id for p in changed]
        for i in range(0, len(ids), CHUNK):
            for case in s.scalars(select(Case).where(Case.pupil_id.in_(ids[i:i + CHUNK]))
                                  .order_by(Case.id).with_for_update()):
                svc._touch(case)
                svc._seal(s, case, "pupil", actor, [("pupils", case.pupil_id)])
        if progress:
            progress(len(report.updated), total)
        for i in range(0, len(report.new), CHUNK):
            part = report.new[i:i + CHUNK]
            s.add_all([new_pupil(r.name, r.born, r.group, school_row.id) for r in part])
            s.flush()
            if progress:
                progress(len(report.updated) + i + len(part), total)
        try:
            uow.commit()
        except IntegrityError:
            raise Conflict("Tegelijk werd dezelfde leerling door iemand anders ingelezen; er is niets "
                           "opgeslagen. Probeer het opnieuw.") from None
        report.written = True
        return report
