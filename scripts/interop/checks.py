"""What every interop check shares: its failure, and how a check's outcome becomes its exit status."""
from __future__ import annotations

import functools
from typing import Callable


class CheckFailed(Exception):
    """The other side did not do what the check expects (the message says what)."""


def check_main(main: Callable[[], None]) -> Callable[[], int]:
    """A check's `main`, as an exit status: 0 when it returns; 1, with the reason printed, when it
    raises `CheckFailed` or any other error (its own `finally` clean-up has run by then)."""

    @functools.wraps(main)
    def run() -> int:
        try:
            main()
        except CheckFailed as failure:
            print(str(failure))
            return 1
        except Exception as error:
            print(f"{type(error).__name__}: {error}")
            return 1
        return 0

    return run
