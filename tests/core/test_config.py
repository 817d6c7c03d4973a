"""KAM_* settings: sensible defaults, and a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from kam import config


def load(tmp_path, **env):
    return config.load({"KAM_DATA_DIR": str(tmp_path), **env})


def test_it_defaults_to_sqlite_in_the_data_dir_with_wal(tmp_path):
    database = load(tmp_path).database
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "kam.sqlite3")
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["timeout"] >= 5


def test_it_reads_a_postgres_url(tmp_path):
    database = load(tmp_path, KAM_DATABASE_URL="postgres://kam:pw@db.example:5433/kam").database
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.example", 5433, "kam")


def test_it_keeps_a_generated_secret_key_private_and_stable(tmp_path):
    first = load(tmp_path).secret_key
    assert len(first) >= 50
    assert load(tmp_path).secret_key == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_debug_is_off_unless_asked(tmp_path):
    assert load(tmp_path).debug is False
    assert load(tmp_path, KAM_DEBUG="true").debug is True


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KAM_DEBUG", "maybe"),
        ("KAM_DATABASE_URL", "mysql://root@localhost/kam"),
        ("KAM_DATABASE_URL", "not a url"),
        ("KAM_SECRET_KEY", "short"),
        ("KAM_BROKER_URL", "http://localhost:6379"),
        ("KAM_TIME_ZONE", "Mars/Olympus"),
        ("KAM_LOG_LEVEL", "LOUD"),
        ("KAM_CSRF_TRUSTED_ORIGINS", "kam.example.com"),
    ],
)
def test_it_names_the_variable_with_a_bad_value(tmp_path, variable, value):
    with pytest.raises(config.ConfigError) as raised:
        load(tmp_path, **{variable: value})
    assert raised.value.variable == variable
    assert str(raised.value).startswith(variable)


def test_the_kam_command_stops_with_the_variable_named(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env.update(KAM_DATA_DIR=str(tmp_path), KAM_DEBUG="perhaps")
    result = subprocess.run(
        [sys.executable, "-m", "kam", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "KAM_DEBUG" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_variable_is_listed_in_env_example():
    from pathlib import Path

    example = (Path(__file__).parents[2] / ".env.example").read_text(encoding="utf-8")
    for variable in config.VARIABLES:
        assert f"{variable}=" in example, variable
