"""A workaround for Textual keeping the lines of widgets that are gone (Textualize/textual#6665).

Every widget draws through a ``StylesCache`` of its own, which keeps the lines (``Strip``) the widget
drew, each with five small caches of its own. Textual 8.2 caches ``StylesCache.get_inner_outer``
with ``functools.lru_cache`` on the method itself, so the cache's key holds the instance: each
widget's ``StylesCache``, with all its lines, stays alive for as long as 1,024 later lookups. Each
case screen opened and closed left some 7,300 objects behind (8,300 for the stroomschema), up to
some 270,000 objects that the garbage collector walked again in every full collection (measured
at 100,000 cases: 80-120 ms, about every 0.7 s while cases were opened and closed).

The two styles it returns depend on the two colours alone, so :func:`cache_on_colours` caches
Textual's own function on those, and a closed screen's lines go with the screen.
"""

from __future__ import annotations

from functools import lru_cache, partial

from textual._styles_cache import StylesCache


def cache_on_colours() -> None:
    """Cache ``StylesCache.get_inner_outer`` on its two colours only, not on the instance.

    Idempotent, and nothing happens once Textual's own method no longer caches on its instance
    (a ``classmethod`` or ``staticmethod``, or no ``lru_cache`` at all).
    """
    method = StylesCache.__dict__.get("get_inner_outer")
    body = getattr(method, "__wrapped__", None)
    clear = getattr(method, "cache_clear", None)
    if body is None or clear is None or isinstance(method, (classmethod, staticmethod)):
        return
    clear()  # what it held so far
    # its first argument (named cls, though it gets the instance) is not used
    cached = lru_cache(1024)(partial(body, None))
    StylesCache.get_inner_outer = staticmethod(cached)  # type: ignore[method-assign, assignment]
