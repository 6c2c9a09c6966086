"""Guard for the analysts' SQL page: accept exactly one read-only SELECT/WITH statement.

Three layers, each enough on its own for the cases it covers:
1. a lexer that understands comments, quoted strings (including E'' escape strings and
   $tag$ dollar quoting) and quoted identifiers, so a semicolon or keyword hidden in a
   comment or string trick is seen where the database would see it;
2. DuckDB's own parser (on an empty in-memory database) must find one SELECT statement;
3. the connection that runs it is read-only with external access and configuration locked
   (see ``queries.run_analyst_sql``).
``check_sql`` is layers 1 and 2: a pure function of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

MAX_LENGTH = 20_000

DENIED_KEYWORDS = frozenset(
    {
        "alter",
        "analyze",
        "attach",
        "begin",
        "call",
        "checkpoint",
        "commit",
        "copy",
        "create",
        "deallocate",
        "delete",
        "detach",
        "drop",
        "execute",
        "export",
        "force",
        "grant",
        "import",
        "insert",
        "install",
        "load",
        "merge",
        "pragma",
        "prepare",
        "reset",
        "revoke",
        "rollback",
        "set",
        "transaction",
        "truncate",
        "update",
        "use",
        "vacuum",
    }
)
# Table and scalar functions that reach outside the snapshot (files, environment, or a
# query given as a string, which would bypass this guard).
DENIED_FUNCTIONS = frozenset(
    {
        "glob",
        "sniff_csv",
        "parquet_metadata",
        "parquet_schema",
        "parquet_file_metadata",
        "parquet_kv_metadata",
        "parquet_bloom_probe",
        "query",
        "query_table",
        "getenv",
        "load_extension",
        "force_checkpoint",
        "read_csv",
        "read_csv_auto",
        "read_parquet",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_ndjson",
        "read_ndjson_auto",
        "read_ndjson_objects",
        "read_text",
        "read_blob",
        "read_xlsx",
        "parquet_scan",
    }
)
_FILE_LIKE = re.compile(
    r"[/\\:~]|\.(csv|tsv|txt|parquet|json|jsonl|ndjson|gz|zst|xlsx|db|duckdb|sqlite|arrow)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


@dataclass(frozen=True)
class Verdict:
    """Whether the text may run, why not, and the statement to run (no trailing ';')."""

    allowed: bool
    reason: str
    statement: str = ""


@dataclass(frozen=True)
class Token:
    kind: str  # word, string, ident, symbol, semicolon
    text: str
    start: int


class _LexError(ValueError):
    pass


def _scan_quoted(sql: str, start: int, quote: str, backslash: bool) -> int:
    """Index just past the closing quote; doubled quotes (and \\x when backslash) escape."""
    i = start + 1
    while i < len(sql):
        char = sql[i]
        if backslash and char == "\\":
            i += 2
            continue
        if char == quote:
            if i + 1 < len(sql) and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise _LexError("a quoted string or identifier is not closed")


def tokenize(sql: str) -> list[Token]:
    """Tokens outside comments; raises _LexError on unclosed strings or comments."""
    tokens: list[Token] = []
    i = 0
    n = len(sql)
    while i < n:
        char = sql[i]
        if char.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end == -1 else end + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end == -1:
                raise _LexError("a /* comment is not closed")
            i = end + 2
        elif char == "'":
            end = _scan_quoted(sql, i, "'", backslash=False)
            tokens.append(Token("string", sql[i + 1 : end - 1], i))
            i = end
        elif char in "eE" and i + 1 < n and sql[i + 1] == "'":
            # E'...' escape strings treat \' as a quote; reading them as plain strings would
            # hide a statement after the string from this lexer (the classic trick).
            end = _scan_quoted(sql, i + 1, "'", backslash=True)
            tokens.append(Token("string", sql[i + 2 : end - 1], i))
            i = end
        elif char == '"':
            end = _scan_quoted(sql, i, '"', backslash=False)
            tokens.append(Token("ident", sql[i + 1 : end - 1].replace('""', '"'), i))
            i = end
        elif char == "$" and (tag := _DOLLAR_TAG.match(sql, i)):
            close = sql.find(tag.group(0), tag.end())
            if close == -1:
                raise _LexError("a $$ dollar-quoted string is not closed")
            tokens.append(Token("string", sql[tag.end() : close], i))
            i = close + len(tag.group(0))
        elif char == ";":
            tokens.append(Token("semicolon", ";", i))
            i += 1
        elif word := _WORD.match(sql, i):
            tokens.append(Token("word", word.group(0), i))
            i = word.end()
        else:
            tokens.append(Token("symbol", char, i))
            i += 1
    return tokens


def _statements(tokens: list[Token]) -> list[list[Token]]:
    groups: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "semicolon":
            groups.append([])
        else:
            groups[-1].append(token)
    return [g for g in groups if g]


def _reads_outside(name: str) -> bool:
    return name in DENIED_FUNCTIONS or name.startswith("read_") or name.endswith("_scan")


def _lexical_problem(tokens: list[Token]) -> str | None:
    for index, token in enumerate(tokens):
        lowered = token.text.lower()
        previous = tokens[index - 1].text.lower() if index else ""
        following = tokens[index + 1].text if index + 1 < len(tokens) else ""
        if token.kind == "word" and lowered in DENIED_KEYWORDS:
            return (
                f"{token.text.upper()} is not allowed here: this page only reads. "
                'If it is a column name, quote it ("name").'
            )
        # Only calls: a column may well be called read_at.
        if token.kind in ("word", "ident") and following == "(" and _reads_outside(lowered):
            return f"{token.text} reads outside the snapshot and is not allowed."
        if token.kind in ("string", "ident") and _FILE_LIKE.search(token.text):
            # A string in FROM/JOIN position is a file read (DuckDB replacement scan).
            if token.kind == "ident" or previous in {"from", "join"}:
                return "Reading files by name is not allowed; query the snapshot's tables."
    return None


def _parser_problem(statement: str) -> str | None:
    """DuckDB's own parser must see exactly one SELECT (an empty in-memory database)."""
    con = duckdb.connect(":memory:", config={"enable_external_access": False})
    try:
        parsed = con.extract_statements(statement)
    except duckdb.Error as exc:
        return f"The statement does not parse: {str(exc).splitlines()[0]}"
    finally:
        con.close()
    if len(parsed) != 1:
        return "Run one statement at a time."
    if parsed[0].type != duckdb.StatementType.SELECT:
        return f"Only SELECT statements can run here (this is {parsed[0].type.name})."
    return None


def check_sql(sql: str) -> Verdict:
    """Allow exactly one SELECT or WITH statement that stays inside the snapshot."""
    if not sql or not sql.strip():
        return Verdict(False, "Enter one SELECT or WITH statement.")
    if len(sql) > MAX_LENGTH:
        return Verdict(False, f"The statement is longer than {MAX_LENGTH:,} characters.")
    if "\x00" in sql:
        return Verdict(False, "The statement contains a NUL character.")
    try:
        tokens = tokenize(sql)
    except _LexError as exc:
        return Verdict(False, f"The statement is incomplete: {exc}.")
    statements = _statements(tokens)
    if not statements:
        return Verdict(False, "Enter one SELECT or WITH statement.")
    if len(statements) > 1:
        return Verdict(False, "Run one statement at a time (found several separated by ';').")
    body = statements[0]
    if body[0].kind != "word" or body[0].text.lower() not in {"select", "with"}:
        first = body[0].text.upper()
        return Verdict(False, f"{first} is not allowed: only SELECT or WITH statements run here.")
    problem = _lexical_problem(body)
    if problem:
        return Verdict(False, problem)
    # Around the one statement there are only empty statements, comments and whitespace.
    semicolons = [t.start for t in tokens if t.kind == "semicolon"]
    begin = max([p + 1 for p in semicolons if p < body[0].start], default=0)
    end = min([p for p in semicolons if p > body[-1].start], default=len(sql))
    statement = sql[begin:end].strip()
    problem = _parser_problem(statement)
    if problem:
        return Verdict(False, problem)
    return Verdict(True, "ok", statement)
