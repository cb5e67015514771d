"""The command line speaks Dutch also where click itself speaks: usage, help and a wrong
command line (an unknown option, a missing argument, a value of the wrong kind)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kindroute.cli import dutch, main

ENGLISH = re.compile(r"\b(Usage|Options|Commands|Error|Show this|Missing|No such|Invalid value|"
                     r"is not a valid|is not one of|Try '|default:|INTEGER|TEXT|PATH|OPTIONS)\b")


def _marked_texts() -> tuple[set[str], set[tuple[str, str]]]:
    """Every text click marks for gettext in the modules :func:`dutch.install` covers."""
    single: set[str] = set()
    plural: set[tuple[str, str]] = set()
    for module in dutch.click_modules():
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and len(texts) == 1:
                single.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) == 2:
                plural.add((texts[0], texts[1]))
    return single, plural


def test_every_dutch_text_is_still_one_click_marks():
    single, plural = _marked_texts()
    # "required" is looked up through a variable (``_(extra["required"])``), so no call names it
    assert set(dutch.WORDS) - single == {"required"}
    assert set(dutch.PLURALS) - plural == set()


def test_the_texts_a_wrong_command_line_meets_are_all_translated():
    """The ones that reach a user of kindroute's commands (errors and help), not click's
    messages for a programmer who declares a command wrongly."""
    single, plural = _marked_texts()
    for_users = {t for t in single if not re.search(r"declaration|defined twice|name for option|"
                                                  r"No options defined|flag for true|DeprecationWarning|"
                                                  r"Unknown color|Choice\(|not a valid UUID", t)}
    assert for_users - set(dutch.WORDS) == set()
    assert plural - set(dutch.PLURALS) - {
        ("{len_type} values are required, but {len_value} was given.",
         "{len_type} values are required, but {len_value} were given."),
    } == set()


@pytest.mark.parametrize("args, dutch_words", [
    (["cases", "--bogus"], ["Fout: Onbekende optie '--bogus'.", "Gebruik: kindroute cases [OPTIES]"]),
    (["case", "show"], ["Er ontbreekt een argument 'ID'"]),
    (["case", "show", "abc"], ["'abc' is geen geldig getal"]),
    (["report", "--format", "xx"], ["'xx' is niet een van"]),
    (["case", "nope"], ["Onbekende opdracht 'nope'", "Bedoelt u"]),
    (["demo", "--cases", "-1"], ["ligt niet in het bereik"]),
])
def test_a_wrong_command_line_is_answered_in_dutch(args, dutch_words):
    result = CliRunner().invoke(main, args, prog_name="kindroute")
    assert result.exit_code == 2
    for words in dutch_words:
        assert words in result.output
    assert not ENGLISH.search(result.output), result.output


@pytest.mark.parametrize("args", [["--help"], ["cases", "--help"], ["case", "--help"], ["demo", "--help"],
                                  ["report", "--help"], ["case", "goal", "add", "--help"]])
def test_help_is_in_dutch(args):
    result = CliRunner().invoke(main, args, prog_name="kindroute")
    assert result.exit_code == 0
    assert "Gebruik:" in result.output and "Toon deze hulp en stop." in result.output
    assert not ENGLISH.search(result.output), result.output


def test_every_command_shows_dutch_placeholders():
    main.commands  # noqa: B018 - registers the subcommands (and names their placeholders)

    def walk(command: click.Command, path: str) -> list[str]:
        found = [f"{path} {p.name}" for p in command.params
                 if isinstance(p, click.Option) and not p.is_flag and p.metavar is None
                 and not isinstance(p.type, click.Choice)]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found += walk(sub, f"{path} {name}")
        return found

    assert walk(main, "kindroute") == []
