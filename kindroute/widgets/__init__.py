"""Widgets of the kindroute app."""
