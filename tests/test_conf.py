"""Settings: environments, secrets from the environment, the kept development key."""

from __future__ import annotations

import pytest

import conf
from conf import ConfigError, Development, Production, config_for


def test_env_selects_the_class(monkeypatch, tmp_path):
    """PKYX_ENV picks the settings; an unknown name is refused with the choices."""
    monkeypatch.setenv("PKYX_ENV", "testing")
    assert isinstance(config_for(None, tmp_path), conf.Testing)
    with pytest.raises(ConfigError, match="development, production, testing"):
        config_for("staging", tmp_path)


def test_production_refuses_a_missing_or_short_secret(monkeypatch, tmp_path):
    """Production never starts with a weak or absent SECRET_KEY."""
    monkeypatch.setenv("PKYX_PUBLIC_URL", "https://pkyx.example.org")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        Production(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        Production(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    config = Production(tmp_path)
    assert config.SECRET_KEY == "k" * 32 and config.SESSION_COOKIE_SECURE is True
    assert config.SEED_DEMO_DATA is False


def test_development_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    """Every process (and gunicorn worker) reads the same development key from instance/."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = Development(tmp_path).SECRET_KEY
    second = Development(tmp_path).SECRET_KEY
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_secret_wins(monkeypatch, tmp_path):
    """A SECRET_KEY in the environment is used as it is."""
    monkeypatch.setenv("SECRET_KEY", "e" * 40)
    assert Development(tmp_path).SECRET_KEY == "e" * 40


def test_a_short_kept_key_is_refused(monkeypatch, tmp_path):
    """A damaged instance/secret_key stops start-up instead of signing with a weak key."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("tiny\n")
    with pytest.raises(ConfigError, match="shorter"):
        Development(tmp_path)


def test_integer_settings_are_checked(monkeypatch, tmp_path):
    """A non-number in an integer setting is a start-up error that names it."""
    monkeypatch.setenv("MONGO_SERVER_SELECTION_TIMEOUT_MS", "soon")
    with pytest.raises(ConfigError, match="MONGO_SERVER_SELECTION_TIMEOUT_MS"):
        conf.Testing(tmp_path)


def test_as_dict_holds_upper_case_settings(tmp_path):
    """Flask receives every upper-case setting, instance values included."""
    settings = conf.Testing(tmp_path).as_dict()
    assert settings["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert settings["TESTING"] is True
    assert all(name.isupper() for name in settings)


def test_proxy_count_trusts_nginx_in_production_only(monkeypatch, tmp_path):
    """Production sits behind one nginx; elsewhere X-Forwarded-* is not trusted."""
    monkeypatch.delenv("PKYX_PROXY_COUNT", raising=False)
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    monkeypatch.setenv("PKYX_PUBLIC_URL", "https://pkyx.example.org")
    assert conf.Testing(tmp_path).PROXY_COUNT == 0
    assert Development(tmp_path).PROXY_COUNT == 0
    assert Production(tmp_path).PROXY_COUNT == 1


@pytest.mark.parametrize(("raw", "count"), [("2", 2), ("0", 0), ("", 1)])
def test_proxy_count_comes_from_the_environment(monkeypatch, tmp_path, raw, count):
    """PKYX_PROXY_COUNT overrides the environment's default (empty: the default)."""
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    monkeypatch.setenv("PKYX_PUBLIC_URL", "https://pkyx.example.org")
    monkeypatch.setenv("PKYX_PROXY_COUNT", raw)
    assert Production(tmp_path).PROXY_COUNT == count


@pytest.mark.parametrize(("raw", "message"), [("one", "must be an integer"),
                                              ("-1", "cannot be negative")])
def test_a_bad_proxy_count_is_refused(monkeypatch, tmp_path, raw, message):
    """A proxy count that cannot be right stops start-up, naming the setting."""
    monkeypatch.setenv("PKYX_PROXY_COUNT", raw)
    with pytest.raises(ConfigError, match=f"PKYX_PROXY_COUNT {message}"):
        conf.Testing(tmp_path)


# -- mail --------------------------------------------------------------------------------


def _mail_env(monkeypatch) -> None:
    for name in ("PKYX_PUBLIC_URL", "PKYX_BROKER_URL", "PKYX_REQUIRE_CONFIRMED",
                 "PKYX_BROKER_VISIBILITY_TIMEOUT", "PKYX_MAIL_RETRY_MAX_WAIT",
                 "PKYX_MAIL_HOST", "PKYX_MAIL_PORT", "PKYX_MAIL_STARTTLS", "PKYX_MAIL_TLS",
                 "PKYX_MAIL_SENDER", "PKYX_MAIL_USER", "PKYX_MAIL_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "k" * 32)


def test_production_needs_a_public_url_for_links_in_mail(monkeypatch, tmp_path):
    """Links in mail never come from a Host header: production names its address."""
    _mail_env(monkeypatch)
    with pytest.raises(ConfigError, match="PKYX_PUBLIC_URL"):
        Production(tmp_path)
    monkeypatch.setenv("PKYX_PUBLIC_URL", "pkyx.example.org")
    with pytest.raises(ConfigError, match="must start with http"):
        Production(tmp_path)
    monkeypatch.setenv("PKYX_PUBLIC_URL", "https://pkyx.example.org/")
    config = Production(tmp_path)
    assert config.PUBLIC_URL == "https://pkyx.example.org"
    assert config.MAIL_SENDER == "pkyx <no-reply@pkyx.example.org>"


def test_confirmation_is_required_in_production_only(monkeypatch, tmp_path):
    """PKYX_REQUIRE_CONFIRMED: on in production, off in development; either way by hand."""
    _mail_env(monkeypatch)
    monkeypatch.setenv("PKYX_PUBLIC_URL", "https://pkyx.example.org")
    assert Production(tmp_path).REQUIRE_CONFIRMED is True
    assert Development(tmp_path).REQUIRE_CONFIRMED is False
    assert conf.Testing(tmp_path).REQUIRE_CONFIRMED is False
    monkeypatch.setenv("PKYX_REQUIRE_CONFIRMED", "0")
    assert Production(tmp_path).REQUIRE_CONFIRMED is False
    monkeypatch.setenv("PKYX_REQUIRE_CONFIRMED", "yes")
    assert Development(tmp_path).REQUIRE_CONFIRMED is True
    monkeypatch.setenv("PKYX_REQUIRE_CONFIRMED", "maybe")
    with pytest.raises(ConfigError, match="PKYX_REQUIRE_CONFIRMED must be 1 or 0"):
        Development(tmp_path)


def test_mail_settings_come_from_the_environment(monkeypatch, tmp_path):
    """Production queues through Redis and sends through a local server by default;
    PKYX_MAIL_* and PKYX_BROKER_URL change that; development writes files."""
    _mail_env(monkeypatch)
    monkeypatch.setenv("PKYX_PUBLIC_URL", "https://pkyx.example.org")
    config = Production(tmp_path)
    assert (config.BROKER_URL, config.MAIL_HOST, config.MAIL_PORT) == (
        "redis://127.0.0.1:6379/0", "localhost", 25)
    development = Development(tmp_path)
    assert (development.BROKER_URL, development.MAIL_HOST) == ("", "")
    assert development.MAIL_DIR == str(tmp_path / "mail")
    monkeypatch.setenv("PKYX_MAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("PKYX_MAIL_STARTTLS", "1")
    monkeypatch.setenv("PKYX_MAIL_USER", "pkyx")
    monkeypatch.setenv("PKYX_MAIL_PASSWORD", " secret ")
    monkeypatch.setenv("PKYX_MAIL_SENDER", "Wiki <wiki@example.org>")
    monkeypatch.setenv("PKYX_BROKER_URL", "redis://10.0.0.5:6379/1")
    config = Production(tmp_path)
    assert (config.MAIL_HOST, config.MAIL_PORT, config.MAIL_STARTTLS, config.MAIL_USER,
            config.MAIL_PASSWORD, config.MAIL_SENDER, config.BROKER_URL) == (
        "smtp.example.org", 587, True, "pkyx", " secret ", "Wiki <wiki@example.org>",
        "redis://10.0.0.5:6379/1")
    monkeypatch.setenv("PKYX_MAIL_TLS", "1")
    with pytest.raises(ConfigError, match="not both"):
        Production(tmp_path)
    monkeypatch.setenv("PKYX_MAIL_STARTTLS", "0")
    assert Production(tmp_path).MAIL_PORT == 465
    monkeypatch.setenv("PKYX_BROKER_URL", "")
    with pytest.raises(ConfigError, match="PKYX_BROKER_URL"):
        Production(tmp_path)


def test_a_visibility_timeout_shorter_than_a_retry_wait_is_refused(monkeypatch, tmp_path):
    """Redis would give a mail waiting for its next try to a second worker: sent twice."""
    _mail_env(monkeypatch)
    monkeypatch.setenv("PKYX_BROKER_VISIBILITY_TIMEOUT", "300")
    with pytest.raises(ConfigError, match="PKYX_BROKER_VISIBILITY_TIMEOUT must be longer"):
        Development(tmp_path)
    monkeypatch.setenv("PKYX_MAIL_RETRY_MAX_WAIT", "60")
    assert Development(tmp_path).BROKER_VISIBILITY_TIMEOUT == 300
