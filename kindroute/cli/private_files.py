"""Files kindroute writes for a user (exports): readable by the owner only, with clear messages.

A new file is created 0600; an existing one (``--force``) is set to 0600 before it is written.
A missing or read-only folder is a Dutch message (exit 2), not a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from kindroute.errors import InvalidInput


def write_private(path: str | Path, text: str, *, overwrite: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``path`` as a private file; refuse an existing file unless ``overwrite``."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise InvalidInput(f"{p} is een map; geef de naam van het bestand.")
    if not p.parent.exists():
        raise InvalidInput(f"De map {p.parent} bestaat niet; maak hem eerst of kies een andere plek.")
    if not p.parent.is_dir():
        raise InvalidInput(f"{p.parent} is geen map.")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (0 if overwrite else os.O_EXCL)
    try:
        fd = os.open(p, flags, 0o600)
    except FileExistsError:
        raise InvalidInput(f"{p} bestaat al; kies een andere naam of gebruik --force.") from None
    except PermissionError:
        raise InvalidInput(f"Geen schrijfrechten voor {p} (map of bestand is alleen-lezen).") from None
    except OSError as exc:
        raise InvalidInput(f"Kan {p} niet schrijven: {exc.strerror}.") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise InvalidInput(f"Kan {p} niet schrijven: {exc.strerror}.") from None
    return p
