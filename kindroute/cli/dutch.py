"""click's own words in Dutch: usage, help, and the messages for a wrong command line.

click marks its texts for gettext (``_("Usage:")``, ``ngettext(...)``) and looks them up in
the process-wide ``messages`` domain at the moment it prints them. A catalogue file would need
the user's locale to be Dutch; kindroute speaks Dutch whatever the locale, so :func:`install`
gives click's modules a lookup in :data:`WORDS` instead (English stays for any text not listed).
``tests/test_cli_dutch.py`` checks that every key is still a text click marks, so an upgrade of
click that rewords one shows up as a failing test, not as English on a user's screen.
"""

from __future__ import annotations

from types import ModuleType

import click

#: click's texts (its gettext message ids) and their Dutch.
WORDS: dict[str, str] = {
    "Usage:": "Gebruik:",
    "Options": "Opties",
    "Commands": "Opdrachten",
    "Positional arguments": "Argumenten",
    "Show this message and exit.": "Toon deze hulp en stop.",
    "Show the version and exit.": "Toon de versie en stop.",
    "%(prog)s, version %(version)s": "%(prog)s, versie %(version)s",
    "Aborted!": "Afgebroken.",
    "Error: {message}": "Fout: {message}",
    "Try '{command} {option}' for help.": "Zie '{command} {option}' voor hulp.",
    "Missing command.": "Er ontbreekt een opdracht.",
    "Missing argument": "Er ontbreekt een argument",
    "Missing option": "Er ontbreekt een optie",
    "Missing parameter": "Er ontbreekt een waarde",
    "Missing parameter: {param_name}": "Er ontbreekt een waarde: {param_name}",
    "Missing {param_type}": "Er ontbreekt iets ({param_type})",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "No such command {name!r}.": "Onbekende opdracht {name!r}.",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "Could not open file {filename!r}: {message}": "Kan bestand {filename!r} niet openen: {message}",
    "unknown error": "onbekende fout",
    "Option {name!r} does not take a value.": "Optie {name!r} neemt geen waarde.",
    "Argument {name!r} takes {nargs} values.": "Argument {name!r} neemt {nargs} waarden.",
    "Invalid start character for option ({option})": "Ongeldig beginteken voor een optie ({option})",
    "Value must be an iterable.": "De waarde moet een reeks zijn.",
    "default: {default}": "standaard: {default}",
    "env var: {var}": "omgevingsvariabele: {var}",
    "required": "verplicht",
    "(dynamic)": "(wisselend)",
    "deprecated": "verouderd",
    "Do you want to continue?": "Wilt u doorgaan?",
    "Confirm the action without prompting.": "Bevestig zonder te vragen.",
    "Repeat for confirmation": "Herhaal ter bevestiging",
    "Error: The two entered values do not match.": "Fout: de twee ingevoerde waarden verschillen.",
    "Error: invalid input": "Fout: ongeldige invoer",
    "Press any key to continue...": "Druk op een toets om door te gaan...",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig getal.",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} is geen ja/nee-waarde. Bekende waarden: {states}",
    "{value!r} is not a valid UUID.": "{value!r} is geen geldige UUID.",
    "Choose from:\n\t{choices}": "Kies uit:\n\t{choices}",
    "file": "bestand",
    "directory": "map",
    "path": "pad",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} is niet leesbaar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} is niet schrijfbaar.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} is niet uitvoerbaar.",
}

#: click's texts with a singular and a plural form: (singular, plural) -> (Dutch singular, plural).
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Onverwacht extra argument ({args})", "Onverwachte extra argumenten ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Bedoelt u {possibility}?", "(Bedoelt u een van: {possibilities}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Optie {name!r} vraagt een waarde.", "Optie {name!r} vraagt {nargs} waarden."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} is niet {choice}.", "{value!r} is niet een van {choices}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Vraagt {nargs} waarden, maar kreeg er 1.", "Vraagt {nargs} waarden, maar kreeg er {len}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} past niet bij het formaat {format}.", "{value!r} past niet bij de formaten {formats}."),
}

#: The placeholder shown for a type in usage and help (click shows INTEGER, TEXT, PATH …).
METAVARS: dict[str, str] = {
    "integer": "GETAL", "integer range": "GETAL", "float": "GETAL", "float range": "GETAL",
    "text": "TEKST", "path": "PAD", "filename": "BESTAND", "file": "BESTAND",
    "directory": "MAP", "bestand": "BESTAND", "map": "MAP", "pad": "PAD", 
    "datetime": "DATUM", "boolean": "JA|NEE",
}


def dutch(message: str) -> str:
    """The Dutch of one of click's texts (the text itself when it is not listed)."""
    return WORDS.get(message, message)


def dutch_plural(singular: str, plural: str, n: int) -> str:
    """The Dutch of one of click's texts with a plural form."""
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


def click_modules() -> list[ModuleType]:
    """click's modules that mark texts for translation."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types

    return [click.core, click.decorators, click.exceptions, click.formatting, click.parser,
            click.termui, click.types]


def install() -> None:
    """Let click look its texts up in Dutch (idempotent)."""
    for module in click_modules():
        if hasattr(module, "_"):
            module._ = dutch  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = dutch_plural  # type: ignore[attr-defined]


def name_placeholders(command: click.Command) -> None:
    """Dutch placeholders in the usage lines and help of ``command`` and all below it."""
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = "[OPTIES]"
    if isinstance(command, click.Group):
        if command.subcommand_metavar in ("COMMAND [ARGS]...", None):
            command.subcommand_metavar = "OPDRACHT [ARGUMENTEN]..."
        for sub in command.commands.values():
            name_placeholders(sub)
    for param in command.params:
        if (isinstance(param, click.Option) and param.metavar is None and not param.is_flag
                and not isinstance(param.type, click.Choice)):
            placeholder = METAVARS.get(param.type.name)
            if placeholder:
                param.metavar = placeholder
