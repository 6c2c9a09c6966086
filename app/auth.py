"""Optional dashboard sign-in: users, roles, hashed passwords, failed-attempt throttle.

No identity service: users live in a local TOML file (``<home>/auth/users.toml``, or the
path in ``FRICTION_AUTH_FILE``), one table per user with a role and an scrypt hash of the
password under a per-user random salt. Sign-in is on when that file exists or
``FRICTION_AUTH=on`` (then a missing file means nobody can sign in: fail closed).

Add a user without the dashboard running:
    python -m app.auth add-user NAME ROLE     (the password is read twice, without echo)
    python -m app.auth remove-user NAME
    python -m app.auth list

This module is plain Python (no Streamlit); ``app.signin`` draws the form.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import os
import re
import secrets
import sys
import threading
import time
import tomllib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dagster_project.settings import load_settings

# What each role may do beyond reading the aggregate pages. Roles are cumulative.
ROLES: dict[str, frozenset[str]] = {
    "executive": frozenset(),
    "analyst": frozenset({"drill_down", "sql"}),
    "finance": frozenset({"drill_down", "sql", "export"}),
}
CAPABILITIES = frozenset({"drill_down", "sql", "export"})

# scrypt cost: n=2**14, r=8 takes 16 MiB and some 50 ms per check, which is what makes an
# offline guess of a stolen file expensive. Each user's record stores its own cost.
DEFAULT_COST = 2**14
BLOCK_SIZE = 8
PARALLEL = 1
KEY_BYTES = 32
MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


class AuthFileError(ValueError):
    """The users file exists but cannot be trusted (unreadable or malformed)."""


@dataclass(frozen=True)
class UserRecord:
    name: str
    role: str
    salt: bytes
    digest: bytes
    cost: int = DEFAULT_COST


def auth_file() -> Path:
    """Where the users file is: FRICTION_AUTH_FILE, else <home>/auth/users.toml."""
    configured = os.environ.get("FRICTION_AUTH_FILE", "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return load_settings().home / "auth" / "users.toml"


def sign_in_required(path: Path | None = None) -> bool:
    """True when FRICTION_AUTH=on or the users file exists."""
    if os.environ.get("FRICTION_AUTH", "").strip().lower() in {"on", "1", "true", "yes"}:
        return True
    return (path or auth_file()).exists()


def can(role: str | None, capability: str) -> bool:
    """Whether a signed-in role has a capability; role None means sign-in is off (all)."""
    if role is None:
        return True
    return capability in ROLES.get(role, frozenset())


def hash_password(password: str, salt: bytes, cost: int = DEFAULT_COST) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost,
        r=BLOCK_SIZE,
        p=PARALLEL,
        maxmem=256 * cost * BLOCK_SIZE + 2**20,
        dklen=KEY_BYTES,
    )


def make_record(name: str, role: str, password: str, cost: int = DEFAULT_COST) -> UserRecord:
    """A new user record with a fresh random salt; checks name, role and password."""
    if not _NAME.match(name):
        raise ValueError(
            "a user name is 1-64 letters, digits or _ . @ - and starts with a letter or digit"
        )
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    return UserRecord(name, role, salt, hash_password(password, salt, cost), cost)


def read_users(path: Path) -> dict[str, UserRecord]:
    """Every user in the file; {} when it is absent. Raises AuthFileError when malformed."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AuthFileError(f"cannot read {path}: {exc}") from exc
    users: dict[str, UserRecord] = {}
    for name, entry in (data.get("users") or {}).items():
        try:
            record = UserRecord(
                name,
                str(entry["role"]),
                bytes.fromhex(entry["salt"]),
                bytes.fromhex(entry["hash"]),
                int(entry.get("cost", DEFAULT_COST)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AuthFileError(f"user {name!r} in {path} is malformed: {exc}") from exc
        if record.role not in ROLES:
            raise AuthFileError(f"user {name!r} in {path} has unknown role {record.role!r}")
        users[name] = record
    return users


def write_users(path: Path, users: dict[str, UserRecord]) -> None:
    """Rewrite the file (owner-only permissions), replacing it by one rename."""
    lines = [
        "# Dashboard users (python -m app.auth add-user NAME ROLE). Passwords are scrypt",
        "# hashes with a per-user salt; keep this file private all the same.",
    ]
    for record in sorted(users.values(), key=lambda r: r.name):
        # Names are checked against _NAME, so they need no escaping inside the quotes.
        lines += [
            "",
            f'[users."{record.name}"]',
            f'role = "{record.role}"',
            f'salt = "{record.salt.hex()}"',
            f'hash = "{record.digest.hex()}"',
            f"cost = {record.cost}",
        ]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def add_user(
    path: Path,
    name: str,
    role: str,
    password: str,
    *,
    replace: bool = False,
    cost: int = DEFAULT_COST,
) -> UserRecord:
    """Add (or with replace=True, reset) one user in the users file."""
    users = read_users(path)
    if name in users and not replace:
        raise ValueError(f"user {name!r} exists; use --replace to reset the password or role")
    record = make_record(name, role, password, cost)
    users[name] = record
    write_users(path, users)
    return record


def remove_user(path: Path, name: str) -> bool:
    users = read_users(path)
    if users.pop(name, None) is None:
        return False
    write_users(path, users)
    return True


# Compared against when the name is unknown, so a wrong name costs the same time as a
# wrong password and response times do not reveal which names exist.
_DUMMY_SALT = b"friction-no-such-user"


def verify(users: dict[str, UserRecord], name: str, password: str) -> UserRecord | None:
    record = users.get(name)
    salt, cost = (record.salt, record.cost) if record else (_DUMMY_SALT, DEFAULT_COST)
    digest = hash_password(password, salt, cost)
    if record is not None and hmac.compare_digest(digest, record.digest):
        return record
    return None


class Throttle:
    """Failed sign-ins per user name and in total, over a sliding window.

    Lives in the server process (module state), so opening a new browser session does not
    reset it; a success clears that name's count.
    """

    def __init__(
        self,
        per_name: int = 5,
        total: int = 30,
        window_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_name = per_name
        self.total = total
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] >= self.window_s:
            times.popleft()
        return times

    def wait_s(self, name: str) -> float:
        """Seconds until this name may try again (0 when it may try now)."""
        now = self.clock()
        with self._lock:
            waits = [
                self.window_s - (now - times[0])
                for key, limit in ((name.lower(), self.per_name), ("*", self.total))
                if len(times := self._recent(key, now)) >= limit
            ]
        return max(waits, default=0.0)

    def failed(self, name: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (name.lower(), "*"):
                self._recent(key, now).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.lower(), None)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()


THROTTLE = Throttle()


def _read_new_password() -> str:
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise ValueError("the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.auth", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help="add a user (password read without echo)")
    add.add_argument("name")
    add.add_argument("role", choices=sorted(ROLES))
    add.add_argument("--replace", action="store_true", help="reset an existing user")
    remove = commands.add_parser("remove-user", help="remove a user")
    remove.add_argument("name")
    commands.add_parser("list", help="list users and roles")
    args = parser.parse_args(argv)
    path = auth_file()
    try:
        if args.command == "add-user":
            add_user(path, args.name, args.role, _read_new_password(), replace=args.replace)
            print(f"{args.name} ({args.role}) saved in {path}; sign-in is on while it exists.")
        elif args.command == "remove-user":
            if not remove_user(path, args.name):
                print(f"no user {args.name!r} in {path}", file=sys.stderr)
                return 1
            print(f"{args.name} removed from {path}")
        else:
            for record in sorted(read_users(path).values(), key=lambda r: r.name):
                print(f"{record.name}\t{record.role}")
    except EOFError:
        print("error: no password given (it is read from the terminal)", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
