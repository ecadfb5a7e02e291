"""Configuration loading and the command line's contracts (exit codes, output shapes)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import CalendarConfig, ConfigError, TiersConfig, load_settings
from bot.domain.tiers import Tier
from bot.domain.workcalendar import WorkCalendar
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid_and_matches_the_defaults() -> None:
    settings = load_settings(ROOT / "config.example.toml", environ={})
    assert settings.telegram.base_url == "https://api.telegram.org/bot"
    # Relative paths count from the configuration file's folder (issue #14).
    assert settings.storage.database == ROOT / "data" / "helpdesk.sqlite3"
    assert settings.calendar.timezone == "Asia/Makassar"
    assert settings.tiers.berkadar_working_days == 60
    assert settings.calendar.hours_for(4).closes == dt.time(16, 30)  # type: ignore[union-attr]


def test_errors_name_the_file_and_every_bad_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\nstaf_chat_id = 1\nstaff_chat_id = "grup"\n'
                           '[calendar]\ntimezone = "Mars/Olympus"\n[tiers]\nnormatif_working_days = 0\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    message = str(error.value)
    assert str(path) in message
    assert "[telegram] staf_chat_id: kunci tidak dikenal" in message
    assert "[telegram] staff_chat_id" in message
    assert "[calendar] timezone" in message and "Mars/Olympus" in message
    assert "[tiers] normatif_working_days" in message


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="bukan TOML yang sah"):
        load_settings(write(tmp_path, "[telegram\ntoken = 1"), environ={})
    with pytest.raises(ConfigError, match="tidak ditemukan"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_environment_token_wins_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\ntoken = "111:fileFILEfileFILEfileFILEfileFILE12"\n')
    settings = load_settings(path, environ={"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.telegram.token.get_secret_value() == TOKEN
    with pytest.raises(ConfigError, match="token bot tidak berformat benar"):
        load_settings(path, environ={"TELEGRAM_BOT_TOKEN": "bukan-token"})


def test_office_hours_and_extra_days(tmp_path: Path) -> None:
    path = write(tmp_path, "[calendar]\nextra_holidays = [{ date = 2026-12-31, name = \"Libur daerah\" }]\n"
                           "extra_workdays = [2026-12-24]\n[calendar.office_hours]\nfriday = \"08.00-15.00\"\n")
    calendar = load_settings(path, environ={}).calendar
    assert calendar.hours_for(4).opens == dt.time(8, 0)  # type: ignore[union-attr]
    assert calendar.hours_for(0).closes == dt.time(16, 0)  # type: ignore[union-attr]
    assert calendar.extra_holidays[0].name == "Libur daerah"
    with pytest.raises(ConfigError, match="jam tutup harus setelah jam buka"):
        load_settings(write(tmp_path, '[calendar.office_hours]\nmonday = "16:00-07:00"\n'), environ={})


def test_webhook_mode_requires_a_long_secret(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\nmode = "webhook"\n[telegram.webhook]\nurl = "https://bot.example.id/telegram"\n'
                           'secret_token = "pendek"\n')
    with pytest.raises(ConfigError, match="minimal 32 karakter"):
        load_settings(path, environ={})


def test_run_without_token_or_staff_chat_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run", "--config", str(write(tmp_path, "[telegram]\nstaff_chat_id = -100\n"))]) == 2
    assert "token kosong" in capsys.readouterr().err
    # A token without staff_chat_id is setup mode now (issue #14): tests/test_cli_setup_mode.py.
    assert main(["run", "--config", str(write(tmp_path, "[telegram]\ntoken = 5\n"))]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "[telegram] token" in err


def test_deadline_command_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "--tier", "normatif", "--received", "2026-12-23T10:00"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2027-01-04T16:00+08:00"
    assert main(["deadline", "--tier", "ringan", "--received", "2026-11-27T15:00+08:00"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2026-11-30T09:00+08:00"
    # The same instant written in UTC gives the same deadline.
    assert main(["deadline", "--tier", "ringan", "--received", "2026-11-27T07:00Z"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2026-11-30T09:00+08:00"
    assert main(["deadline", "--tier", "normatif", "--received", "2026-12-23T10:00", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "Cuti Bersama Hari Raya Natal" in out and "Tahun Baru Masehi" in out
    assert out.strip().splitlines()[-1] == "2027-01-04T16:00+08:00"


@pytest.mark.parametrize("args", [["--tier", "berat", "--received", "2026-12-23T10:00"],
                                  ["--tier", "ringan", "--received", "besok pagi"],
                                  ["--tier", "ringan", "--received", "2026-02-30T10:00"]])
def test_deadline_bad_input_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pbj-helpdesk: --") and "Traceback" not in err


def test_deadline_command_agrees_with_the_calendar_across_2026_2027(capsys: pytest.CaptureFixture[str]) -> None:
    calendar = WorkCalendar(CalendarConfig(), TiersConfig())
    rng = random.Random(2026)
    start = dt.datetime(2026, 1, 1, tzinfo=calendar.zone)
    for _ in range(40):
        received = start + dt.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        tier = rng.choice(list(Tier))
        assert main(["deadline", "--tier", tier.value, "--received", received.strftime("%Y-%m-%dT%H:%M")]) == 0
        printed = dt.datetime.fromisoformat(capsys.readouterr().out.strip().splitlines()[-1])
        expected = calendar.deadline(tier, received.replace(second=0, microsecond=0))
        assert printed == expected.replace(second=0, microsecond=0)


def test_weekend_office_hours_are_refused_with_a_clear_message(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path, '[calendar.office_hours]\nsaturday = "08:00-12:00"\n')
    assert main(["deadline", "--tier", "ringan", "--received", "2026-11-27T15:00", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "[calendar] office_hours: saturday: hari Sabtu dan Minggu selalu dihitung hari libur" in err
    assert "extra_workdays" in err and "Traceback" not in err


def test_closed_weekend_and_a_saturday_workday_are_honoured(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    # "tutup" on a weekend day is what the calendar does anyway; a Saturday made a working day with
    # extra_workdays counts, with the Monday…Friday hours.
    config = write(tmp_path, '[calendar]\nextra_workdays = [2026-11-28]\n'
                             '[calendar.office_hours]\nsaturday = "tutup"\nsunday = ""\n')
    assert main(["deadline", "--tier", "ringan", "--received", "2026-11-27T15:00", "--config", str(config)]) == 0
    # Friday 15:00 + 3 office hours: 1.5 h on Friday (closes 16:30), 1.5 h on Saturday from 07:30.
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2026-11-28T09:00+08:00"
    assert main(["deadline", "--tier", "ringan", "--received", "2026-11-27T15:00"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2026-11-30T09:00+08:00"
