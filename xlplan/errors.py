"""Exceptions the CLI turns into clean messages (exit code 2), never tracebacks."""

from __future__ import annotations


class XlplanError(Exception):
    """Base of every error xlplan reports to the user; the message is ready to print (Thai / English)."""


class UsageError(XlplanError):
    """The command was asked for something it cannot do (bad option, output path is an input)."""
