"""``python -m kindroute``: the same as the ``kindroute`` command."""

from kindroute.cli import main

if __name__ == "__main__":
    main(prog_name="kindroute")
