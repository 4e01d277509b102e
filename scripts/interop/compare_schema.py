#!/usr/bin/env python3
"""Compare two DBOS system databases table by table.

    compare_schema.py postgres URL_PYTHON URL_SWIFT [--schema dbos]
    compare_schema.py sqlite   FILE_PYTHON FILE_SWIFT

The first database is the reference (migrated by DBOS Python 3.4.0), the second
the one under test (migrated by dbos-swift). Prints a readable diff and exits
1 when anything differs, 0 when the two schemas are the same, 2 on usage or
connection errors.
"""
from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from typing import Any, Dict, List, Tuple

EXPECTED_VERSION = 125

Snapshot = Dict[str, Dict[str, Any]]  # section -> key -> description


def normalize_sql(text: str | None) -> str:
    """Whitespace-insensitive form of a SQL body or definition."""
    if text is None:
        return ""
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------- PostgreSQL
def postgres_snapshot(url: str, schema: str) -> Snapshot:
    import psycopg  # installed with dbos

    snap: Snapshot = {}
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.cursor()

        def rows(sql: str, *params: Any) -> List[Tuple[Any, ...]]:
            cur.execute(sql, params)
            return cur.fetchall()

        if not rows("SELECT 1 FROM pg_namespace WHERE nspname = %s", schema):
            raise SystemExit(f"schema '{schema}' does not exist in {url}")

        snap["tables"] = {
            name: kind
            for name, kind in rows(
                "SELECT table_name, table_type FROM information_schema.tables "
                "WHERE table_schema = %s",
                schema,
            )
        }
        snap["columns"] = {
            f"{table}.{column}": {
                "type": ctype,
                "not_null": bool(not_null),
                "default": default,
                "identity": identity or None,
                "generated": generated or None,
            }
            for table, column, ctype, not_null, default, identity, generated in rows(
                """
                SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                       a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                       a.attidentity, a.attgenerated
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v')
                  AND a.attnum > 0 AND NOT a.attisdropped
                """,
                schema,
            )
        }
        snap["indexes"] = {
            f"{table}.{name}": normalize_sql(definition)
            for table, name, definition in rows(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
                schema,
            )
        }
        snap["constraints"] = {
            f"{table}.{name}": f"[{contype}] {normalize_sql(definition)}"
            for table, name, contype, definition in rows(
                """
                SELECT c.relname, con.conname, con.contype::text,
                       pg_get_constraintdef(con.oid)
                FROM pg_constraint con
                JOIN pg_class c ON c.oid = con.conrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s
                """,
                schema,
            )
        }
        snap["triggers"] = {
            f"{table}.{name}": normalize_sql(definition)
            for table, name, definition in rows(
                """
                SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
                FROM pg_trigger t
                JOIN pg_class c ON c.oid = t.tgrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s AND NOT t.tgisinternal
                """,
                schema,
            )
        }
        functions = rows(
            """
            SELECT p.proname, pg_get_function_identity_arguments(p.oid),
                   pg_get_function_arguments(p.oid),
                   pg_get_function_result(p.oid), l.lanname, p.prosrc
            FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            JOIN pg_language l ON l.oid = p.prolang
            WHERE n.nspname = %s
            """,
            schema,
        )
        snap["functions"] = {
            f"{name}({identity})": {
                "arguments": arguments,
                "returns": result,
                "language": language,
            }
            for name, identity, arguments, result, language, _ in functions
        }
        snap["function bodies"] = {
            f"{name}({identity})": normalize_sql(body)
            for name, identity, _, _, _, body in functions
        }
        snap["sequences"] = {
            name: "sequence"
            for (name,) in rows(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = %s",
                schema,
            )
        }
        if "dbos_migrations" in snap["tables"]:
            versions = [
                v for (v,) in rows(f'SELECT version FROM "{schema}".dbos_migrations ORDER BY version')
            ]
        else:
            versions = []
        snap["dbos_migrations"] = {"versions": versions}
    return snap


# ---------------------------------------------------------------- SQLite
def sqlite_snapshot(path: str) -> Snapshot:
    import os

    if not os.path.exists(path):
        raise SystemExit(f"SQLite file {path} does not exist")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        snap: Snapshot = {}

        def q(sql: str, *params: Any) -> List[Tuple[Any, ...]]:
            return conn.execute(sql, params).fetchall()

        tables = [
            name
            for (name,) in q(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        snap["tables"] = {name: "table" for name in tables}
        snap["columns"] = {}
        snap["foreign keys"] = {}
        snap["indexes"] = {}
        snap["index definitions"] = {}
        for table in tables:
            for cid, name, ctype, notnull, default, pk in q(f'PRAGMA table_info("{table}")'):
                snap["columns"][f"{table}.{name}"] = {
                    "type": ctype,
                    "not_null": bool(notnull),
                    "default": default,
                    "pk": pk,
                }
            fks: Dict[int, List[Tuple[Any, ...]]] = {}
            for fid, seq, ref, src, dst, on_update, on_delete, match in q(
                f'PRAGMA foreign_key_list("{table}")'
            ):
                fks.setdefault(fid, []).append((seq, src, ref, dst, on_update, on_delete, match))
            for parts in fks.values():
                parts.sort()
                src = ",".join(p[1] for p in parts)
                ref = parts[0][2]
                dst = ",".join(str(p[3]) for p in parts)
                snap["foreign keys"][f"{table}({src})"] = (
                    f"-> {ref}({dst}) ON UPDATE {parts[0][4]} ON DELETE {parts[0][5]}"
                )
            for _, index, unique, origin, partial in q(f'PRAGMA index_list("{table}")'):
                columns = [
                    name if name is not None else "<expr>"
                    for _, _, name in sorted(q(f'PRAGMA index_info("{index}")'))
                ]
                snap["indexes"][f"{table}.{index}"] = {
                    "unique": bool(unique),
                    "origin": origin,
                    "partial": bool(partial),
                    "columns": columns,
                }
        for name, sql in q("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"):
            snap["index definitions"][name] = normalize_sqlite_index(sql)
        snap["triggers"] = {
            name: normalize_sql(sql)
            for name, sql in q("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        }
        snap["views"] = {
            name: "view" for (name,) in q("SELECT name FROM sqlite_master WHERE type = 'view'")
        }
        versions = (
            [v for (v,) in q("SELECT version FROM dbos_migrations ORDER BY version")]
            if "dbos_migrations" in tables
            else []
        )
        snap["dbos_migrations"] = {"versions": versions}
        return snap
    finally:
        conn.close()


def normalize_sqlite_index(sql: str) -> str:
    """An index's CREATE statement with formatting (quotes, case, spacing) removed."""
    text = sql.lower()
    text = re.sub(r'["`\[\]]', "", text)
    text = text.replace("if not exists ", "")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([(),=<>])\s*", r"\1", text)
    return text.strip()


# ---------------------------------------------------------------- diff
def describe(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v!r}" for k, v in value.items())
    return repr(value)


def excerpt(a: str, b: str, width: int = 160) -> Tuple[str, str]:
    """Both strings cut to a window around their first difference."""
    if len(a) <= width and len(b) <= width:
        return a, b
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, first - width // 4)

    def cut(text: str) -> str:
        piece = text[start : start + width]
        return ("..." if start > 0 else "") + piece + ("..." if start + width < len(text) else "")

    return cut(a), cut(b)


def diff(reference: Snapshot, candidate: Snapshot, ref_name: str, cand_name: str) -> List[str]:
    problems: List[str] = []
    for section in sorted(set(reference) | set(candidate)):
        if section == "dbos_migrations":
            continue  # checked against EXPECTED_VERSION by main()
        ref = reference.get(section, {})
        cand = candidate.get(section, {})
        for key in sorted(set(ref) - set(cand)):
            problems.append(f"[{section}] {key}: only in {ref_name}: {describe(ref[key])}")
        for key in sorted(set(cand) - set(ref)):
            problems.append(f"[{section}] {key}: only in {cand_name}: {describe(cand[key])}")
        for key in sorted(set(ref) & set(cand)):
            if ref[key] == cand[key]:
                continue
            if isinstance(ref[key], dict) and isinstance(cand[key], dict):
                for field in sorted(set(ref[key]) | set(cand[key])):
                    a, b = ref[key].get(field), cand[key].get(field)
                    if a != b:
                        problems.append(
                            f"[{section}] {key}.{field}: {ref_name}={a!r} {cand_name}={b!r}"
                        )
            else:
                a, b = excerpt(str(ref[key]), str(cand[key]))
                problems.append(f"[{section}] {key}:\n      {ref_name}: {a}\n      {cand_name}: {b}")
    return problems


def summary(snap: Snapshot) -> str:
    parts = [f"{len(snap.get(s, {}))} {s}" for s in ("tables", "columns", "indexes", "constraints", "foreign keys", "triggers", "functions") if s in snap]
    return ", ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dialect", choices=["postgres", "sqlite"])
    parser.add_argument("reference", help="database migrated by DBOS Python")
    parser.add_argument("candidate", help="database migrated by dbos-swift")
    parser.add_argument("--schema", default="dbos")
    parser.add_argument("--ref-name", default="python")
    parser.add_argument("--cand-name", default="swift")
    args = parser.parse_args()

    try:
        if args.dialect == "postgres":
            ref = postgres_snapshot(args.reference, args.schema)
            cand = postgres_snapshot(args.candidate, args.schema)
        else:
            ref = sqlite_snapshot(args.reference.removeprefix("sqlite:///"))
            cand = sqlite_snapshot(args.candidate.removeprefix("sqlite:///"))
    except SystemExit as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # connection problems and the like
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 2

    problems = diff(ref, cand, args.ref_name, args.cand_name)
    for name, snap in ((args.ref_name, ref), (args.cand_name, cand)):
        versions = snap["dbos_migrations"]["versions"]
        if versions != [EXPECTED_VERSION]:
            problems.append(f"[dbos_migrations] {name} has versions {versions}, expected [{EXPECTED_VERSION}]")
    print(f"  {args.ref_name}: {summary(ref)}")
    print(f"  {args.cand_name}: {summary(cand)}")
    if problems:
        print(f"  {len(problems)} difference(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("  schemas are identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
