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
    assert conf.Testing(tmp_path).PROXY_COUNT == 0
    assert Development(tmp_path).PROXY_COUNT == 0
    assert Production(tmp_path).PROXY_COUNT == 1


@pytest.mark.parametrize(("raw", "count"), [("2", 2), ("0", 0), ("", 1)])
def test_proxy_count_comes_from_the_environment(monkeypatch, tmp_path, raw, count):
    """PKYX_PROXY_COUNT overrides the environment's default (empty: the default)."""
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    monkeypatch.setenv("PKYX_PROXY_COUNT", raw)
    assert Production(tmp_path).PROXY_COUNT == count


@pytest.mark.parametrize(("raw", "message"), [("one", "must be an integer"),
                                              ("-1", "cannot be negative")])
def test_a_bad_proxy_count_is_refused(monkeypatch, tmp_path, raw, message):
    """A proxy count that cannot be right stops start-up, naming the setting."""
    monkeypatch.setenv("PKYX_PROXY_COUNT", raw)
    with pytest.raises(ConfigError, match=f"PKYX_PROXY_COUNT {message}"):
        conf.Testing(tmp_path)
