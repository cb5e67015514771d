"""The screens of the kindroute app, one per file."""
