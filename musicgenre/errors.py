"""User-facing errors.

A :class:`MusicgenreError` is a problem the user can fix (bad params, missing credentials, a
corrupt archive). Stages print its message without a traceback and exit non-zero; anything else
is a bug and keeps its traceback.
"""

import functools
import sys


class MusicgenreError(Exception):
    """An error whose message tells the user what went wrong and how to fix it."""


def friendly_main(main):
    """Wrap a stage's ``main`` so a :class:`MusicgenreError` prints cleanly and exits with 1."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except MusicgenreError as err:
            print(f"error: {err}", file=sys.stderr)
            raise SystemExit(1) from None

    return wrapper
