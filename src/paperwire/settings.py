"""The one settings object, read from PAPERWIRE_* environment variables (documented in docs/settings.md)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from paperwire import PaperwireError
from paperwire.papers import ARXIV_CATEGORY
from paperwire.smtp import check_mail_from, parse_smtp_url

ENV_PREFIX = "PAPERWIRE_"
RATE_LIMITED = (
    "signin",
    "signin_ip",
    "signin_mail",
    "vote",
    "comment",
    "submit",
    "subscribe",
    "subscribe_ip",
    "signal",
    "collection",
    "import",
    "recommend",
    "interests",
)
DEFAULT_RATE_LIMITS = (
    "signin=5/3600,signin_ip=30/3600,signin_mail=10/900,vote=120/60,comment=10/600,submit=20/3600,"
    "subscribe=5/3600,subscribe_ip=30/3600,signal=240/60,collection=60/3600,import=20/3600,recommend=120/60,"
    "interests=30/3600"
)


class Settings(BaseSettings):
    """Typed settings; each field is the environment variable PAPERWIRE_<FIELD NAME IN CAPITALS>."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    data_dir: Path = Field(
        default=Path("./paperwire-data"),
        description="Folder for the SQLite database and other local state.",
    )
    database_url: str | None = Field(
        default=None,
        description="Where papers are stored: sqlite:///PATH or postgresql://... (unset: SQLite in DATA_DIR)",
    )
    secret_key: str | None = Field(
        default=None,
        description="Secret for signing sessions and links; at least 32 characters when set.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The public URL of this hub, used in links it sends out.",
    )

    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose X-Forwarded-For/-Proto `serve` believes (comma-separated; * any).",
    )

    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body (JSON or form) the hub reads; past it, 413 (docs/security.md).",
    )
    max_import_bytes: int = Field(
        default=2 * 1_048_576,
        ge=1024,
        description="Largest BibTeX or CSL JSON file a library import reads; past it, 413 (docs/library.md).",
    )
    server_timing: bool = Field(
        default=False,
        description="Add a Server-Timing header (the app's time per request), for benchmarks/web_load.py.",
    )

    rate_limits: str = Field(
        default=DEFAULT_RATE_LIMITS,
        description="Limits as ACTION=HITS/SECONDS; signin counts per (address, IP), signin_ip per IP, "
        "signin_mail the mails to one address.",
    )

    model_dir: Path | None = Field(
        default=None,
        description="Folder for the embedding model built from its packaged weights (DATA_DIR/models).",
    )
    search_indexer: bool = Field(
        default=True,
        description="Embed new papers in the background of `paperwire serve`; off: cron runs it.",
    )
    search_in_database: Literal["none", "semantic", "all"] = Field(
        default="all",
        description="Server mode: which search sides PostgreSQL answers: none, semantic (pgvector) or all.",
    )

    # -- ingest (docs/ingest.md) ---------------------------------------------------------------
    contact_email: str | None = Field(
        default=None,
        description="The operator's contact address, sent to arXiv and Hugging Face in the User-Agent.",
    )
    arxiv_oai_url: str = Field(
        default="https://oaipmh.arxiv.org/oai", description="arXiv OAI-PMH endpoint (backfill)."
    )
    arxiv_api_url: str = Field(
        default="https://export.arxiv.org/api/query", description="arXiv query API endpoint (by id)."
    )
    arxiv_feed_url: str = Field(
        default="https://rss.arxiv.org/atom",
        description="arXiv announcement feed; the category is appended as /<cat>.",
    )
    hf_url: str = Field(
        default="https://huggingface.co", description="Hugging Face hub; /api/daily_papers is appended."
    )
    arxiv_interval: float = Field(
        default=3.0, ge=0, description="Seconds between two requests to arXiv (any of its interfaces)."
    )
    http_timeout: float = Field(default=60.0, gt=0, description="Seconds before an ingest request times out.")
    http_retries: int = Field(
        default=4, ge=0, le=20, description="Retries of a failed ingest request (timeouts, resets, 429, 5xx)."
    )
    ingest_schedule: bool = Field(
        default=True, description="Run the daily announcement and HF ingests inside `paperwire serve`."
    )
    ingest_time: str = Field(default="06:00", description="Time of day (HH:MM) of the scheduled ingest.")
    ingest_timezone: str = Field(default="UTC", description="Time zone of PAPERWIRE_INGEST_TIME.")
    submission_fetcher: bool = Field(
        default=True,
        description="Fetch submitted papers the hub lacks inside `paperwire serve`; off: cron runs it.",
    )
    submission_queue_per_user: int = Field(
        default=10, ge=1, le=1000, description="Submissions one member may have waiting for arXiv at once."
    )
    submission_queue_total: int = Field(
        default=200, ge=1, le=100_000, description="Submissions waiting for arXiv at once, all members."
    )
    ingest_categories: str = Field(
        default="cs.AI,cs.CL,cs.CV,cs.LG",
        description="Comma-separated arXiv categories the daily announcement ingest reads.",
    )

    github_token: str | None = Field(
        default=None,
        repr=False,  # a credential: never in a traceback or a log line
        description="GitHub token for `paperwire ingest github` (repository stars); unset: it is off.",
    )
    github_api_url: str = Field(default="https://api.github.com", description="GitHub's REST API.")
    github_schedule: bool = Field(
        default=True,
        description="With a GitHub token, refresh stars after the scheduled ingest inside `paperwire serve`.",
    )

    # -- mail (docs/settings.md#mail) -------------------------------------------------------------
    smtp_url: str | None = Field(
        default=None,
        description="SMTP server for outgoing mail: smtp://, smtp+starttls:// or smtps://[user:pass@]host[:port].",
    )
    mail_from: str = Field(
        default="Paperwire <paperwire@localhost>", description="The From header of the mail the hub sends."
    )

    smtp_concurrency: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Digest mails handed to the SMTP server at once (one connection each).",
    )
    smtp_rate: float = Field(
        default=0.0, ge=0, description="At most this many digest mails per second (0: no limit)."
    )

    # -- digests (docs/digests.md) ----------------------------------------------------------------
    digest_schedule: bool = Field(
        default=True, description="Send due digests from inside `paperwire serve`; off: cron runs it."
    )
    digest_interval: float = Field(
        default=60.0, gt=0, description="Seconds between two checks for due digests inside `paperwire serve`."
    )
    digest_retry_seconds: float = Field(
        default=60.0, gt=0, description="Wait before retrying a temporary SMTP failure; doubles each time."
    )
    digest_max_attempts: int = Field(
        default=5, ge=1, le=50, description="Attempts at one digest before it is marked failed."
    )
    digest_max_bounces: int = Field(
        default=3, ge=1, le=100, description="Permanent failures in a row that deactivate a subscriber."
    )

    @field_validator("search_in_database", mode="before")
    @classmethod
    def _check_search_in_database(cls, value: object) -> object:
        # It was a boolean before it was a choice: true meant both sides, false neither.
        if isinstance(value, bool):
            return "all" if value else "none"
        if isinstance(value, str):
            text = value.strip().lower()
            return {"true": "all", "1": "all", "false": "none", "0": "none", "": "none"}.get(text, text)
        return value

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        parse_smtp_url(value)  # raises ValueError with a reason that never repeats the password
        return value.strip()

    @field_validator("mail_from")
    @classmethod
    def _check_mail_from(cls, value: str) -> str:
        return check_mail_from(value)

    @field_validator("contact_email")
    @classmethod
    def _check_contact_email(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
            raise ValueError(f"must be an email address, got {value!r}")
        return value

    @field_validator("arxiv_oai_url", "arxiv_api_url", "arxiv_feed_url", "hf_url", "github_api_url")
    @classmethod
    def _check_source_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http:// or https:// URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("github_token")
    @classmethod
    def _check_github_token(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if value and not re.fullmatch(r"[A-Za-z0-9_.\-]+", value):
            raise ValueError("must be a GitHub token (letters, digits and _), as GitHub shows it once")
        return value or None

    @field_validator("ingest_time")
    @classmethod
    def _check_ingest_time(cls, value: str) -> str:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ValueError(f"must be a time of day like 06:00, got {value!r}")
        return f"{int(m.group(1)):02d}:{m.group(2)}"

    @field_validator("ingest_timezone")
    @classmethod
    def _check_ingest_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use a name like Europe/Paris or UTC)") from None
        return value

    @field_validator("ingest_categories")
    @classmethod
    def _check_ingest_categories(cls, value: str) -> str:
        cats = [c.strip() for c in value.split(",") if c.strip()]
        bad = [c for c in cats if not ARXIV_CATEGORY.fullmatch(c)]
        if bad:
            raise ValueError(f"not an arXiv category: {bad[0]!r}")
        return ",".join(cats)

    @field_validator("rate_limits")
    @classmethod
    def _check_rate_limits(cls, value: str) -> str:
        for item in filter(None, (v.strip() for v in value.split(","))):
            m = re.fullmatch(r"([a-z_]+)=(\d+)/(\d+)", item)
            if not m or m.group(1) not in RATE_LIMITED or int(m.group(3)) == 0:
                raise ValueError(
                    f"{item!r}: use ACTION=HITS/SECONDS with ACTION one of {', '.join(RATE_LIMITED)}"
                )
        return value

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

    @property
    def server_mode(self) -> bool:
        """PostgreSQL: several workers or hosts, so nothing secret may be made up locally."""
        return self.resolved_database_url.split(":", 1)[0] in ("postgresql", "postgres")

    @property
    def rate_limit_table(self) -> dict[str, tuple[int, int]]:
        """PAPERWIRE_RATE_LIMITS as {action: (hits, seconds)}."""
        out = {}
        for item in filter(
            None, (v.strip() for v in (DEFAULT_RATE_LIMITS + "," + self.rate_limits).split(","))
        ):
            action, spec = item.split("=")
            hits, seconds = spec.split("/")
            out[action] = (int(hits), int(seconds))
        return out

    @property
    def categories(self) -> list[str]:
        """PAPERWIRE_INGEST_CATEGORIES as a list."""
        return [c for c in self.ingest_categories.split(",") if c]


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


def listening_url(host: str, port: int) -> str:
    """The hub's address when `serve` listens on host:port: the default of PAPERWIRE_BASE_URL there.

    A wildcard address (0.0.0.0, ::) is not one to link to; the loopback address stands in for it.
    """
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"http://{host}:{port}"
