"""Registers the everyday commands: ``import pupils``, ``schoolyear`` and ``serve``."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    from kindroute.cli import importing, schoolyear, serve

    importing.register(main)
    schoolyear.register(main)
    serve.register(main)
