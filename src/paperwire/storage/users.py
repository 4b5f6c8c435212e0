"""Users, sign-in tokens and sessions: `store.users`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime

from paperwire.models.users import MAX_USERNAME_CHARS, User, username_base
from paperwire.storage.database import Noun

_USER = "SELECT id, email, username, is_admin, created_at FROM users"


class Users(ABC):
    @abstractmethod
    def get_or_create_user(self, email: str) -> User:
        """The user with this (normalised) address, created with a free username if new."""

    @abstractmethod
    def get_user(self, user_id: int) -> User | None: ...

    @abstractmethod
    def find_user(self, *, email: str | None = None, username: str | None = None) -> User | None: ...

    @abstractmethod
    def ids_by_email(self, emails: Sequence[str]) -> dict[str, int]:
        """The ids of the users with these (normalised) addresses; addresses of no user are left out."""

    @abstractmethod
    def set_admin(self, user_id: int, is_admin: bool) -> None: ...

    @abstractmethod
    def admins(self) -> list[User]: ...

    @abstractmethod
    def save_signin_token(self, nonce: str, email: str, expires_at: datetime) -> None: ...

    @abstractmethod
    def use_signin_token(self, nonce: str, now: datetime) -> str | None:
        """Mark the token used and return its email, or None if unknown, used or expired (atomic)."""

    @abstractmethod
    def create_session(self, token_hash: str, user_id: int, expires_at: datetime) -> None: ...

    @abstractmethod
    def session_user(self, token_hash: str, now: datetime) -> User | None: ...

    @abstractmethod
    def delete_session(self, token_hash: str) -> None: ...


class UsersSQL(Noun, Users):
    def _user(self, row) -> User | None:
        return User(row[0], row[1], row[2], bool(row[3]), self.d.time_of(row[4])) if row else None

    def get_or_create_user(self, email: str) -> User:
        found = self.find_user(email=email)
        if found:
            return found
        base = username_base(email)
        with self.db.transaction() as conn:
            # Serialise account creation so that two new users never pick the same free username.
            conn.exclusive("users")
            row = conn.one(f"{_USER} WHERE email = ?", (email,))
            if row:  # created by another process a moment ago
                return self._user(row)
            taken = {
                r[0] for r in conn.all("SELECT username FROM users WHERE username LIKE ?", (base + "%",))
            }
            username, n = base, 1
            while username in taken:
                n += 1
                username = f"{base[: MAX_USERNAME_CHARS - len(str(n)) - 1]}-{n}"
            row = conn.one(
                "INSERT INTO users (email, username, is_admin, created_at) VALUES (?, ?, false, ?) "
                "RETURNING id, email, username, is_admin, created_at",
                (email, username, self.d.now()),
            )
            return self._user(row)

    def get_user(self, user_id: int) -> User | None:
        with self.db.read() as conn:
            return self._user(conn.one(f"{_USER} WHERE id = ?", (user_id,)))

    def find_user(self, *, email: str | None = None, username: str | None = None) -> User | None:
        column, value = ("email", email) if email is not None else ("username", username)
        with self.db.read() as conn:
            return self._user(conn.one(f"{_USER} WHERE {column} = ?", (value,)))

    def ids_by_email(self, emails: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        with self.db.snapshot() as conn:
            for condition, params in self.d.one_of("email", emails):
                out.update(conn.all(f"SELECT email, id FROM users WHERE {condition}", params))
        return out

    def set_admin(self, user_id: int, is_admin: bool) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE users SET is_admin = ? WHERE id = ?", (bool(is_admin), user_id))

    def admins(self) -> list[User]:
        with self.db.read() as conn:
            return [self._user(r) for r in conn.all(f"{_USER} WHERE is_admin ORDER BY username")]

    def save_signin_token(self, nonce: str, email: str, expires_at: datetime) -> None:
        self._add_secret("signin_tokens (nonce, email", (nonce, email), expires_at)

    def _add_secret(self, table_and_key: str, key: tuple, expires_at: datetime) -> None:
        """A row of a table of expiring secrets: sign-in tokens and sessions."""
        values = (*key, self.d.now(), self.d.time(expires_at))
        with self.db.transaction() as conn:
            conn.execute(f"INSERT INTO {table_and_key}, created_at, expires_at) VALUES (?, ?, ?, ?)", values)

    def use_signin_token(self, nonce: str, now: datetime) -> str | None:
        moment = self.d.time(now)
        with self.db.transaction() as conn:
            row = conn.one(
                "UPDATE signin_tokens SET used_at = ? WHERE nonce = ? AND used_at IS NULL AND expires_at > ? "
                "RETURNING email",
                (moment, nonce, moment),
            )
            # Expired, never-used tokens are of no use to anyone: clear them while here.
            conn.execute("DELETE FROM signin_tokens WHERE expires_at < ?", (moment,))
        return row[0] if row else None

    def create_session(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        self._add_secret("sessions (token_hash, user_id", (token_hash, user_id), expires_at)

    def session_user(self, token_hash: str, now: datetime) -> User | None:
        with self.db.read() as conn:
            row = conn.one(
                "SELECT u.id, u.email, u.username, u.is_admin, u.created_at FROM sessions s "
                "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
                (token_hash, self.d.time(now)),
            )
        return self._user(row)

    def delete_session(self, token_hash: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))
