"""The one settings object, read from PAPERWIRE_* environment variables (documented in docs/settings.md)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from paperwire import PaperwireError

ENV_PREFIX = "PAPERWIRE_"


class Settings(BaseSettings):
    """Typed settings; each field is the environment variable PAPERWIRE_<FIELD NAME IN CAPITALS>."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    data_dir: Path = Field(
        default=Path("./paperwire-data"),
        description="Folder for the SQLite database and other local state.",
    )
    database_url: str | None = Field(
        default=None,
        description="Where papers are stored: sqlite:///PATH. Defaults to a SQLite file in the data dir.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Secret for signing sessions and links; at least 32 characters when set.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The public URL of this hub, used in links it sends out.",
    )

    model_dir: Path | None = Field(
        default=None,
        description="Folder for the embedding model built from its packaged weights (DATA_DIR/models).",
    )
    search_indexer: bool = Field(
        default=True,
        description="Embed new papers in the background of `paperwire serve`; off: cron runs it.",
    )

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        scheme = value.split(":", 1)[0].lower()
        if scheme == "sqlite":
            if not value.startswith("sqlite:///") or len(value) == len("sqlite:///"):
                raise ValueError("a SQLite URL looks like sqlite:///path/to/paperwire.db")
            return value
        if scheme in ("postgresql", "postgres"):
            return value
        raise ValueError(f"unsupported database {scheme!r}: use sqlite:///PATH or postgresql://...")

    @field_validator("secret_key")
    @classmethod
    def _check_secret_key(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if len(value) < 32:
            raise ValueError(
                "must be at least 32 characters "
                "(try: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http:// or https:// URL, got {value!r}")
        return value.rstrip("/")

    @property
    def search_dir(self) -> Path:
        """The keyword and vector indexes, derived from the database and rebuilt from it when needed."""
        return self.data_dir / "search"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def resolved_database_url(self) -> str:
        """The database URL, with the default SQLite file in the data dir filled in."""
        return self.database_url or f"sqlite:///{self.data_dir / 'paperwire.db'}"


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def load_settings(**overrides) -> Settings:
    """Read settings from the environment; a bad value raises PaperwireError naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        message = str(err["msg"]).removeprefix("Value error, ")
        raise PaperwireError(f"{env_name(field)}: {message}") from None
