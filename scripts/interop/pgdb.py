#!/usr/bin/env python3
"""Create or drop throwaway PostgreSQL databases for the interop checks.

    pgdb.py url    BASE NAME   -> prints BASE with its database replaced by NAME
    pgdb.py create BASE NAME   -> (re)creates NAME, prints its URL
    pgdb.py drop   BASE NAME...

BASE is any postgresql:// URL of the server (its database part, if any, is
used to connect for CREATE/DROP DATABASE; `postgres` when absent).
"""
from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit, urlunsplit


def with_database(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def admin_url(base: str) -> str:
    parts = urlsplit(base)
    return base if parts.path.strip("/") else with_database(base, "postgres")


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[1] not in ("url", "create", "drop"):
        print(__doc__, file=sys.stderr)
        return 2
    command, base, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    for name in names:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            print(f"refusing database name {name!r}", file=sys.stderr)
            return 2
    if command == "url":
        print(with_database(base, names[0]))
        return 0
    import psycopg

    with psycopg.connect(admin_url(base), autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if command == "create":
                conn.execute(f'CREATE DATABASE "{name}"')
                print(with_database(base, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
