"""Settings classes per environment, chosen by ``PKYX_ENV``.

Every secret comes from the environment. Development keeps a generated
``SECRET_KEY`` in ``instance/`` so that every process (and every gunicorn worker)
signs cookies with the same key; production refuses to start without one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from limits import parse_many

__all__ = ["Config", "Development", "Testing", "Production", "config_for", "ConfigError"]

MIN_SECRET_BYTES = 32
#: The longest a request may wait for MongoDB (ms). pymongo overshoots its selection
#: timeout by up to half a second (it polls every 500 ms), so 4 s keeps a dead database's
#: 503 under 5 s.
MAX_SERVER_SELECTION_MS = 4000


#: Settings that hold a rate limit, each settable from the environment as ``PKYX_<name>``.
LIMIT_SETTINGS = ("RATELIMIT_TOKENS", "RATELIMIT_REGISTER", "RATELIMIT_NEW_ENTRIES",
                  "RATELIMIT_NEW_ENTRIES_ADDRESS", "RATELIMIT_EDITS", "RATELIMIT_EDITS_ADDRESS",
                  "RATELIMIT_UPLOADS", "RATELIMIT_UPLOADS_ADDRESS", "RATELIMIT_EMAIL_CHANGES",
                  "RATELIMIT_EMAIL_CHANGES_ADDRESS", "RATELIMIT_PASSWORD_RESETS",
                  "RATELIMIT_PASSWORD_RESETS_ADDRESS", "RATELIMIT_CONFIRMATION_MAILS")


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to set."""


def _env_bool(name: str, default: bool) -> bool:
    """Read a yes/no setting (1/0, true/false, yes/no, on/off) from the environment."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0 (true/false, yes/no, on/off), got {raw!r}.")


def _env_int(name: str, default: int) -> int:
    """Read an integer setting from the environment, refusing garbage at start-up."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}.") from exc


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    MONGO_URI: str | None = None
    MONGO_DBNAME = "pkyx"
    #: pymongo waits at most this long to find a server before giving up (ms).
    MONGO_SERVER_SELECTION_TIMEOUT_MS = 3000
    MONGO_CONNECT_TIMEOUT_MS = 3000
    MONGO_SOCKET_TIMEOUT_MS = 10000
    #: Every query's budget (MongoDB: ``timeoutMS``, sent to the server as ``maxTimeMS``;
    #: the embedded store stops its scan): a query that runs out answers that one request
    #: with a 503 (a 400 when the client's own filter is the cause), never the breaker.
    MONGO_QUERY_TIMEOUT_MS = 2000
    #: Writes wait longer: a majority write waits for the replica set.
    MONGO_WRITE_TIMEOUT_MS = 10000
    #: Seed the embedded store with demo data when it starts empty.
    SEED_DEMO_DATA = True
    #: Write the embedded store's snapshot at most this often after writes (s).
    SNAPSHOT_DEBOUNCE_SECONDS = 1.0
    SNAPSHOT_FILENAME = "pkyx-store.json"
    #: How long a process waits for another to hand the embedded store over (s): a
    #: gunicorn worker started by a reload waits for the old worker's last snapshot.
    EMBEDDED_STORE_WAIT_SECONDS = 30.0
    #: Return ties of a sort (and unsorted results) shuffled, as MongoDB may (tests).
    EMBEDDED_ANY_ORDER = False
    #: Password for the demo users the seed creates (development only).
    DEMO_PASSWORD: str | None = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    JSON_SORT_KEYS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    #: Lifetime of an API token (s).
    API_TOKEN_SECONDS = 3600
    #: Flask-Limiter on (each app says so itself: the limiter is one object, and an app
    #: without the setting would inherit the last app's).
    RATELIMIT_ENABLED = True
    #: Rate limits (Flask-Limiter syntax); each can be set from ``PKYX_<NAME>``.
    #: Tokens issued per client address.
    RATELIMIT_TOKENS = "10/minute;100/hour"
    #: Write limits (app/write_limits.py), per account and per client address. A
    #: registration counts per address, whether it creates an account or is refused as
    #: taken; e-mail changes count likewise (a taken address answers "taken").
    RATELIMIT_REGISTER = "10/hour"
    RATELIMIT_NEW_ENTRIES = "10/minute;100/day"
    RATELIMIT_NEW_ENTRIES_ADDRESS = "20/minute;200/day"
    #: Edits: attribute and entry changes, reverts, removals, definitions (MediaWiki's
    #: default for logged-in editors is 90 a minute).
    RATELIMIT_EDITS = "90/minute;1000/day"
    RATELIMIT_EDITS_ADDRESS = "180/minute;2000/day"
    #: Uploads: avatars.
    RATELIMIT_UPLOADS = "10/hour;50/day"
    RATELIMIT_UPLOADS_ADDRESS = "20/hour;100/day"
    RATELIMIT_EMAIL_CHANGES = "5/hour;10/day"
    RATELIMIT_EMAIL_CHANGES_ADDRESS = "10/hour;20/day"
    #: Password reset mails: per account they are dropped silently past the limit (the
    #: answer never tells whether an address has an account); per client address a 429.
    RATELIMIT_PASSWORD_RESETS = "3/hour;10/day"
    RATELIMIT_PASSWORD_RESETS_ADDRESS = "10/hour;50/day"
    #: "Send the confirmation mail again", per account.
    RATELIMIT_CONFIRMATION_MAILS = "5/hour;20/day"
    #: Mail (app/mail): an account edits only once its e-mail address is confirmed.
    REQUIRE_CONFIRMED = False
    #: How long a confirmation link and a password reset link work (s).
    CONFIRM_LINK_SECONDS = 48 * 3600
    RESET_LINK_SECONDS = 3600
    #: The site's address as people reach it (``PKYX_PUBLIC_URL``), for links in mail;
    #: never taken from a request's Host header. Required in production.
    PUBLIC_URL: str | None = None
    #: Celery's broker (``PKYX_BROKER_URL``); empty: mail is sent inside the process
    #: (development and tests).
    BROKER_URL = ""
    #: How long Redis keeps a message a worker took but did not acknowledge before giving
    #: it to another worker (s): longer than the longest retry wait.
    BROKER_VISIBILITY_TIMEOUT = 3600
    #: SMTP (``PKYX_MAIL_*``). No host in development: mail goes to ``instance/mail``.
    MAIL_HOST = ""
    MAIL_PORT = 25
    MAIL_STARTTLS = False
    MAIL_TLS = False
    MAIL_USER = ""
    MAIL_PASSWORD = ""
    MAIL_SENDER = ""
    MAIL_TIMEOUT = 10
    #: A mail that meets an SMTP failure is tried again after 1, 2, 4 … s (at most
    #: MAIL_RETRY_MAX_WAIT s between tries, MAIL_RETRIES times: about a day in all).
    MAIL_RETRY_FIRST_WAIT = 1
    MAIL_RETRY_MAX_WAIT = 600
    MAIL_RETRIES = 150
    #: Where development writes mail it does not send (``*.eml``); default instance/mail.
    MAIL_DIR: str | None = None
    #: How mail leaves: "smtp" when MAIL_HOST is set, else "file" (MAIL_DIR); tests
    #: use "memory". Empty: chosen from MAIL_HOST.
    MAIL_TRANSPORT = ""
    #: Rate-limit storage: empty = memory with the embedded store, else MONGO_URI.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    #: A counter store that cannot be reached is a 503, never "no limit": login and token
    #: requests must not get unlimited password guesses while the database is away.
    RATELIMIT_SWALLOW_ERRORS = False
    #: After a store failure, answer 503 at once for this long before trying it again (s).
    STORE_RETRY_SECONDS = 2.0
    #: Proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port are trusted
    #: (``PKYX_PROXY_COUNT``); 0 ignores those headers, so a client cannot spoof its address.
    PROXY_COUNT = 0
    #: argon2id cost: OWASP's first recommendation (m=19 MiB, t=2, p=1).
    ARGON2_MEMORY_KIB = 19 * 1024
    ARGON2_TIME_COST = 2
    ARGON2_PARALLELISM = 1

    def __init__(self, instance_path: str | os.PathLike[str]):
        self.instance_path = Path(instance_path)
        self.MONGO_URI = os.environ.get("MONGO_URI") or self.MONGO_URI
        self.MONGO_SERVER_SELECTION_TIMEOUT_MS = min(
            _env_int("MONGO_SERVER_SELECTION_TIMEOUT_MS", self.MONGO_SERVER_SELECTION_TIMEOUT_MS),
            MAX_SERVER_SELECTION_MS,
        )
        for name in ("MONGO_QUERY_TIMEOUT_MS", "MONGO_WRITE_TIMEOUT_MS"):
            setattr(self, name, _env_int(name, getattr(self, name)))
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be a positive number of milliseconds.")
        self.PROXY_COUNT = _env_int("PKYX_PROXY_COUNT", self.PROXY_COUNT)
        if self.PROXY_COUNT < 0:
            raise ConfigError(f"PKYX_PROXY_COUNT cannot be negative, got {self.PROXY_COUNT}.")
        for name in LIMIT_SETTINGS:
            self._limit_from_env(name)
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self.SECRET_KEY
        self._mail_from_env()
        self.DEMO_PASSWORD = os.environ.get("PKYX_DEMO_PASSWORD") or self.DEMO_PASSWORD

    def _mail_from_env(self) -> None:
        """The mail settings: ``PKYX_REQUIRE_CONFIRMED``, ``PKYX_PUBLIC_URL``,
        ``PKYX_BROKER_URL`` and ``PKYX_MAIL_*``."""
        self.REQUIRE_CONFIRMED = _env_bool("PKYX_REQUIRE_CONFIRMED", self.REQUIRE_CONFIRMED)
        public = os.environ.get("PKYX_PUBLIC_URL") or self.PUBLIC_URL
        if public:
            if not public.startswith(("http://", "https://")):
                raise ConfigError(f"PKYX_PUBLIC_URL must start with http:// or https://, "
                                  f"got {public!r}.")
            self.PUBLIC_URL = public.rstrip("/")
        broker = os.environ.get("PKYX_BROKER_URL")
        if broker is not None:
            self.BROKER_URL = broker.strip()
        self.BROKER_VISIBILITY_TIMEOUT = _env_int("PKYX_BROKER_VISIBILITY_TIMEOUT",
                                                  self.BROKER_VISIBILITY_TIMEOUT)
        for name in ("MAIL_HOST", "MAIL_USER", "MAIL_PASSWORD", "MAIL_SENDER", "MAIL_DIR"):
            raw = os.environ.get(f"PKYX_{name}")
            if raw is not None:
                setattr(self, name, raw.strip() if name != "MAIL_PASSWORD" else raw)
        for name in ("MAIL_STARTTLS", "MAIL_TLS"):
            setattr(self, name, _env_bool(f"PKYX_{name}", getattr(self, name)))
        if self.MAIL_STARTTLS and self.MAIL_TLS:
            raise ConfigError("Set PKYX_MAIL_STARTTLS or PKYX_MAIL_TLS, not both.")
        default_port = 465 if self.MAIL_TLS else 587 if self.MAIL_STARTTLS else self.MAIL_PORT
        for name, default in (("MAIL_PORT", default_port), ("MAIL_TIMEOUT", self.MAIL_TIMEOUT),
                              ("MAIL_RETRY_FIRST_WAIT", self.MAIL_RETRY_FIRST_WAIT),
                              ("MAIL_RETRY_MAX_WAIT", self.MAIL_RETRY_MAX_WAIT),
                              ("MAIL_RETRIES", self.MAIL_RETRIES)):
            setattr(self, name, _env_int(f"PKYX_{name}", default))
        if self.BROKER_VISIBILITY_TIMEOUT <= self.MAIL_RETRY_MAX_WAIT + self.MAIL_TIMEOUT:
            raise ConfigError(
                "PKYX_BROKER_VISIBILITY_TIMEOUT must be longer than PKYX_MAIL_RETRY_MAX_WAIT "
                "plus PKYX_MAIL_TIMEOUT: Redis would hand a mail waiting for its next try to "
                "a second worker, and it would be sent twice.")
        if not self.MAIL_SENDER:
            host = (self.PUBLIC_URL or "http://localhost").split("://", 1)[1]
            host = host.split("/", 1)[0].split(":", 1)[0]
            self.MAIL_SENDER = f"pkyx <no-reply@{host}>"
        if self.MAIL_DIR is None:
            self.MAIL_DIR = str(self.instance_path / "mail")

    def _limit_from_env(self, name: str) -> None:
        """Take a rate limit from ``PKYX_<name>``, refusing one limits cannot read."""
        raw = os.environ.get(f"PKYX_{name}")
        if not raw:
            return
        try:
            parse_many(raw)
        except ValueError as exc:
            raise ConfigError(f"PKYX_{name} must be a rate limit like \"10/minute;100/day\", "
                              f"got {raw!r}.") from exc
        setattr(self, name, raw)

    def as_dict(self) -> dict:
        """Every upper-case setting, as Flask's ``config.from_mapping`` wants it."""
        names = {n for klass in type(self).__mro__ for n in vars(klass) if n.isupper()}
        names |= {n for n in vars(self) if n.isupper()}
        return {name: getattr(self, name) for name in sorted(names)}


class Development(Config):
    """Local work: the embedded store by default, a secret kept in ``instance/``."""

    ENV_NAME = "development"
    DEMO_PASSWORD = "pkyx-demo-password"

    def __init__(self, instance_path):
        super().__init__(instance_path)
        if not self.SECRET_KEY:
            self.SECRET_KEY = _instance_secret(self.instance_path)


class Testing(Config):
    """The test suite: fresh embedded store per app, no snapshot, no demo data."""

    ENV_NAME = "testing"
    TESTING = True
    #: Mail is kept in memory (``app.extensions["pkyx.outbox"]``), never written or sent.
    MAIL_TRANSPORT = "memory"
    SECRET_KEY = "testing-secret-key-that-is-at-least-32-bytes-long"
    SEED_DEMO_DATA = False
    SNAPSHOT_FILENAME = None
    EMBEDDED_ANY_ORDER = True
    DEMO_PASSWORD = "pkyx-demo-password"
    # Tests that check limits set them low themselves; the rest must not trip them.
    RATELIMIT_TOKENS = "1000/minute"
    RATELIMIT_REGISTER = "1000/minute"
    RATELIMIT_NEW_ENTRIES = RATELIMIT_NEW_ENTRIES_ADDRESS = "100000/minute"
    RATELIMIT_EDITS = RATELIMIT_EDITS_ADDRESS = "100000/minute"
    RATELIMIT_UPLOADS = RATELIMIT_UPLOADS_ADDRESS = "100000/minute"
    RATELIMIT_EMAIL_CHANGES = RATELIMIT_EMAIL_CHANGES_ADDRESS = "100000/minute"
    RATELIMIT_PASSWORD_RESETS = RATELIMIT_PASSWORD_RESETS_ADDRESS = "100000/minute"
    RATELIMIT_CONFIRMATION_MAILS = "100000/minute"
    # Cheaper hashing keeps the suite fast; production's cost is tested on its own.
    ARGON2_MEMORY_KIB = 1024
    ARGON2_TIME_COST = 1


class Production(Config):
    """Behind nginx: secrets from the environment only, secure cookies."""

    ENV_NAME = "production"
    #: gunicorn binds to loopback: every request comes through the one nginx.
    PROXY_COUNT = 1
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SEED_DEMO_DATA = False
    REQUIRE_CONFIRMED = True
    #: Mail always leaves through the queue: a request never talks to an SMTP server.
    BROKER_URL = "redis://127.0.0.1:6379/0"
    MAIL_HOST = "localhost"

    def __init__(self, instance_path):
        super().__init__(instance_path)
        if not self.PUBLIC_URL:
            raise ConfigError(
                "Production needs PKYX_PUBLIC_URL, the site's address as people reach it "
                "(https://pkyx.example.org): links in mail are built from it, never from a "
                "request's Host header.")
        if not self.BROKER_URL:
            raise ConfigError("Production sends mail through a queue: PKYX_BROKER_URL "
                              "cannot be empty (redis://127.0.0.1:6379/0).")
        key = self.SECRET_KEY or ""
        if len(key.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"Production needs SECRET_KEY of at least {MIN_SECRET_BYTES} bytes in the "
                'environment; make one with: python -c "import secrets; '
                'print(secrets.token_urlsafe(48))"'
            )
        if os.environ.get("PKYX_SEED_DEMO") == "1":
            self.SEED_DEMO_DATA = True


CONFIGS = {cls.ENV_NAME: cls for cls in (Development, Testing, Production)}


def config_for(env: str | None, instance_path: str | os.PathLike[str]) -> Config:
    """The settings object for ``env`` (default: ``PKYX_ENV`` or development)."""
    name = (env or os.environ.get("PKYX_ENV") or "development").lower()
    try:
        cls = CONFIGS[name]
    except KeyError:
        known = ", ".join(sorted(CONFIGS))
        raise ConfigError(f"PKYX_ENV must be one of {known}, got {name!r}.") from None
    return cls(instance_path)


def _instance_secret(instance_path: Path) -> str:
    """Read the development secret from ``instance/secret_key``, creating it once.

    The key is written to a temporary file and hard-linked into place, so two
    processes starting together agree on one complete key.
    """
    path = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        tmp.write_text(secrets.token_urlsafe(48) + "\n")
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"{path} holds a key shorter than {MIN_SECRET_BYTES} bytes.")
    return key
