"""Working-day calendar and deadlines, on the real Indonesian holiday data (no mocks).

Expected deadlines below were worked out by hand from the holidays library's 2026–2027
tables (public holidays + cuti bersama) and the default office hours: Monday–Thursday
07:30–16:00, Friday 07:30–16:30, WITA.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.config import CalendarConfig, ExtraHoliday, TiersConfig
from bot.domain.tiers import Tier
from bot.domain.workcalendar import WorkCalendar
from bot.texts.deadline import explanation as explanation_lines

WITA = ZoneInfo("Asia/Makassar")
UTC = dt.UTC


def wita(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=WITA)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar(CalendarConfig(), TiersConfig())


# --- working days ------------------------------------------------------------------------


def test_working_days_match_library_for_2026_and_2027(cal: WorkCalendar) -> None:
    off = holidays.country_holidays(
        "ID", years=(2026, 2027), categories=(holidays.PUBLIC, holidays.GOVERNMENT)
    )
    day = dt.date(2026, 1, 1)
    while day.year < 2028:
        expected = day.weekday() < 5 and day not in off
        assert cal.is_working_day(day) is expected, day
        assert (cal.day_off_reason(day) is None) is expected, day
        day += dt.timedelta(days=1)


def test_idul_fitri_2026_days_are_off(cal: WorkCalendar) -> None:
    for day in range(18, 25):
        assert not cal.is_working_day(dt.date(2026, 3, day))
    assert cal.is_working_day(dt.date(2026, 3, 17))
    assert cal.is_working_day(dt.date(2026, 3, 25))
    assert cal.day_off_reason(dt.date(2026, 3, 19)) == "Hari Suci Nyepi"
    assert cal.day_off_reason(dt.date(2026, 3, 23)) == "Cuti Bersama Hari Raya Idul Fitri"


def test_day_off_reasons(cal: WorkCalendar) -> None:
    assert cal.day_off_reason(dt.date(2026, 12, 26)) == "Sabtu"
    assert cal.day_off_reason(dt.date(2026, 12, 27)) == "Minggu"
    assert cal.day_off_reason(dt.date(2026, 12, 24)) == "Cuti Bersama Hari Raya Natal"
    assert cal.day_off_reason(dt.date(2027, 12, 24)) == "Cuti Bersama Hari Raya Natal"
    assert cal.day_off_reason(dt.date(2027, 12, 25)) == "Hari Raya Natal (Sabtu)"
    assert cal.day_off_reason(dt.date(2026, 12, 28)) is None


def test_office_hours_on(cal: WorkCalendar) -> None:
    assert cal.office_hours_on(dt.date(2026, 11, 27)) == (wita(2026, 11, 27, 7, 30),
                                                          wita(2026, 11, 27, 16, 30))
    assert cal.office_hours_on(dt.date(2026, 11, 26)) == (wita(2026, 11, 26, 7, 30),
                                                          wita(2026, 11, 26, 16, 0))
    assert cal.office_hours_on(dt.date(2026, 11, 28)) is None
    assert cal.office_hours_on(dt.date(2026, 12, 25)) is None


def test_next_opening(cal: WorkCalendar) -> None:
    assert cal.next_opening(wita(2026, 11, 27, 15, 0)) == wita(2026, 11, 30, 7, 30)
    assert cal.next_opening(wita(2026, 11, 27, 6, 0)) == wita(2026, 11, 27, 7, 30)
    assert cal.next_opening(wita(2026, 11, 27, 7, 30)) == wita(2026, 11, 27, 7, 30)
    assert cal.next_opening(wita(2026, 12, 23, 17, 0)) == wita(2026, 12, 28, 7, 30)
    result = cal.next_opening(dt.datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    assert result == wita(2026, 11, 30, 7, 30)
    assert result.tzinfo == WITA


# --- Ringan: office hours -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # Friday afternoon: 1.5 h on Friday (closes 16:30), 1.5 h on Monday.
        (wita(2026, 11, 27, 15, 0), wita(2026, 11, 30, 9, 0)),
        # Inside office hours, finishing exactly at closing: stays that day.
        (wita(2026, 11, 26, 13, 0), wita(2026, 11, 26, 16, 0)),
        (wita(2026, 11, 26, 9, 15), wita(2026, 11, 26, 12, 15)),
        # Before opening on a working day: starts at opening.
        (wita(2026, 11, 30, 6, 0), wita(2026, 11, 30, 10, 30)),
        # Exactly at closing: nothing left that day.
        (wita(2026, 11, 26, 16, 0), wita(2026, 11, 27, 10, 30)),
        # After closing.
        (wita(2026, 11, 26, 20, 0), wita(2026, 11, 27, 10, 30)),
        # Saturday.
        (wita(2026, 11, 28, 10, 0), wita(2026, 11, 30, 10, 30)),
        # Holiday (Natal, then the weekend).
        (wita(2026, 12, 25, 10, 0), wita(2026, 12, 28, 10, 30)),
        # The eve of Idul Fitri 2026: the next opening is 25 March.
        (wita(2026, 3, 17, 15, 0), wita(2026, 3, 25, 9, 30)),
    ],
)
def test_ringan(cal: WorkCalendar, received: dt.datetime, expected: dt.datetime) -> None:
    result = cal.deadline(Tier.RINGAN, received)
    assert result == expected
    assert result.tzinfo == WITA


def test_ringan_fractional_hours() -> None:
    cal = WorkCalendar(CalendarConfig(), TiersConfig(ringan_office_hours=1.25))
    assert cal.deadline(Tier.RINGAN, wita(2026, 11, 27, 16, 0)) == wita(2026, 11, 30, 8, 15)


# --- day tiers ---------------------------------------------------------------------------------


def test_normatif_over_christmas_and_new_year(cal: WorkCalendar) -> None:
    received = wita(2026, 12, 23, 10, 0)
    assert cal.deadline(Tier.NORMATIF, received) == wita(2027, 1, 4, 16, 0)
    explanation = cal.explain(Tier.NORMATIF, received)
    assert explanation.deadline == wita(2027, 1, 4, 16, 0)
    assert explanation.counted == [
        dt.date(2026, 12, 28), dt.date(2026, 12, 29), dt.date(2026, 12, 30),
        dt.date(2026, 12, 31), dt.date(2027, 1, 4),
    ]
    assert explanation.skipped == [
        (dt.date(2026, 12, 24), "Cuti Bersama Hari Raya Natal"),
        (dt.date(2026, 12, 25), "Hari Raya Natal"),
        (dt.date(2026, 12, 26), "Sabtu"),
        (dt.date(2026, 12, 27), "Minggu"),
        (dt.date(2027, 1, 1), "Tahun Baru Masehi"),
        (dt.date(2027, 1, 2), "Sabtu"),
        (dt.date(2027, 1, 3), "Minggu"),
    ]
    assert any("Natal" in line for line in explanation_lines(received, explanation, cal.zone))


def test_normatif_over_idul_fitri_2026(cal: WorkCalendar) -> None:
    # 18–24 March off (cuti Nyepi, Nyepi, cuti, Idul Fitri ×2, cuti ×2); then
    # 25 Wed, 26 Thu, 27 Fri, 30 Mon, 31 Tue.
    received = wita(2026, 3, 17, 10, 0)
    assert cal.deadline(Tier.NORMATIF, received) == wita(2026, 3, 31, 16, 0)
    skipped = [day for day, _ in cal.explain(Tier.NORMATIF, received).skipped]
    assert skipped == [dt.date(2026, 3, day) for day in (18, 19, 20, 21, 22, 23, 24, 28, 29)]


def test_receipt_day_never_counts(cal: WorkCalendar) -> None:
    # Early morning or late night of a working day, the day still does not count.
    assert cal.deadline(Tier.NORMATIF, wita(2026, 11, 23, 0, 1)) == wita(2026, 11, 30, 16, 0)
    assert cal.deadline(Tier.NORMATIF, wita(2026, 11, 23, 23, 59)) == wita(2026, 11, 30, 16, 0)
    # Received on a Saturday: Monday is the first working day.
    assert cal.deadline(Tier.NORMATIF, wita(2026, 11, 28, 10, 0)) == wita(2026, 12, 4, 16, 30)
    # Received on a holiday (Natal 2026, a Friday).
    assert cal.deadline(Tier.NORMATIF, wita(2026, 12, 25, 10, 0)) == wita(2027, 1, 4, 16, 0)


def test_all_tiers_around_idul_fitri_2027(cal: WorkCalendar) -> None:
    # Library 2027: 8 Mar Nyepi, 9 cuti, 10–11 Idul Fitri, 12 and 15 cuti; 25 Mar cuti and
    # 26 Mar Wafat Yesus Kristus; 1 May (Sat), 6 May, 17–20 May, 1 Jun.
    received = wita(2027, 3, 1, 10, 0)
    assert cal.deadline(Tier.RINGAN, received) == wita(2027, 3, 1, 13, 0)
    assert cal.deadline(Tier.NORMATIF, received) == wita(2027, 3, 16, 16, 0)
    assert cal.deadline(Tier.TIDAK_BERKADAR, received) == wita(2027, 3, 31, 16, 0)
    assert cal.deadline(Tier.BERKADAR, received) == wita(2027, 6, 11, 16, 30)


def test_all_tiers_around_christmas_2027(cal: WorkCalendar) -> None:
    # 24 Dec 2027 (Friday) is cuti bersama, 25–26 the weekend, 1 Jan 2028 a Saturday.
    received = wita(2027, 12, 23, 10, 0)
    assert cal.deadline(Tier.RINGAN, received) == wita(2027, 12, 23, 13, 0)
    assert cal.deadline(Tier.NORMATIF, received) == wita(2027, 12, 31, 16, 30)
    assert cal.deadline(Tier.TIDAK_BERKADAR, received) == wita(2028, 1, 13, 16, 0)
    ringan_late = wita(2027, 12, 23, 15, 0)
    assert cal.deadline(Tier.RINGAN, ringan_late) == wita(2027, 12, 27, 9, 30)


# --- zones ----------------------------------------------------------------------------------------


def test_utc_input_gives_the_same_result(cal: WorkCalendar) -> None:
    for tier in Tier:
        local = wita(2026, 11, 27, 15, 0)
        in_utc = local.astimezone(UTC)
        in_jakarta = local.astimezone(ZoneInfo("Asia/Jakarta"))
        assert cal.deadline(tier, in_utc) == cal.deadline(tier, local)
        assert cal.deadline(tier, in_jakarta) == cal.deadline(tier, local)
        assert cal.deadline(tier, in_utc).tzinfo == WITA


def test_receipt_day_is_the_wita_date(cal: WorkCalendar) -> None:
    # Friday 16:30 UTC is already Saturday 00:30 WITA, so Monday is day one.
    received = dt.datetime(2026, 11, 27, 16, 30, tzinfo=UTC)
    assert cal.deadline(Tier.NORMATIF, received) == wita(2026, 12, 4, 16, 30)


def test_naive_input_refused(cal: WorkCalendar) -> None:
    naive = dt.datetime(2026, 11, 27, 15, 0)
    for tier in Tier:
        with pytest.raises(ValueError):
            cal.deadline(tier, naive)
    with pytest.raises(ValueError):
        cal.explain(Tier.NORMATIF, naive)
    with pytest.raises(ValueError):
        cal.working_time_between(naive, wita(2026, 11, 30, 9, 0))
    with pytest.raises(ValueError):
        cal.next_opening(naive)


# --- configured extras -------------------------------------------------------------------------


def test_extra_holiday_and_extra_workday() -> None:
    config = CalendarConfig(
        extra_holidays=[ExtraHoliday(date=dt.date(2026, 11, 30), name="Cuti daerah")],
        extra_workdays=[dt.date(2026, 12, 5), dt.date(2026, 12, 24)],
    )
    cal = WorkCalendar(config)
    assert not cal.is_working_day(dt.date(2026, 11, 30))
    assert cal.day_off_reason(dt.date(2026, 11, 30)) == "Cuti daerah"
    # A Saturday made a working day takes Monday–Thursday hours.
    assert cal.is_working_day(dt.date(2026, 12, 5))
    assert cal.office_hours_on(dt.date(2026, 12, 5)) == (wita(2026, 12, 5, 7, 30),
                                                         wita(2026, 12, 5, 16, 0))
    # An extra workday wins over the library's cuti bersama.
    assert cal.is_working_day(dt.date(2026, 12, 24))
    # Friday 27 Nov: 30 Nov is off, then 1, 2, 3, 4 Dec and Saturday 5 Dec.
    assert cal.deadline(Tier.NORMATIF, wita(2026, 11, 27, 10, 0)) == wita(2026, 12, 5, 16, 0)
    assert cal.deadline(Tier.RINGAN, wita(2026, 12, 5, 9, 0)) == wita(2026, 12, 5, 12, 0)
    assert cal.deadline(Tier.RINGAN, wita(2026, 11, 27, 15, 0)) == wita(2026, 12, 1, 9, 0)


def test_closed_weekday_and_custom_hours() -> None:
    config = CalendarConfig.model_validate(
        {"office_hours": {"friday": "tutup", "monday": "08:00-15:00"}}
    )
    cal = WorkCalendar(config)
    assert not cal.is_working_day(dt.date(2026, 11, 27))
    assert cal.day_off_reason(dt.date(2026, 11, 27)) == "kantor tutup hari Jumat"
    assert cal.deadline(Tier.RINGAN, wita(2026, 11, 26, 15, 0)) == wita(2026, 11, 30, 10, 0)


def test_calendar_without_weekday_hours_refused() -> None:
    closed = dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), "tutup")
    with pytest.raises(ValueError):
        WorkCalendar(CalendarConfig.model_validate({"office_hours": closed}))


def test_other_tier_lengths() -> None:
    cal = WorkCalendar(CalendarConfig(), TiersConfig(normatif_working_days=1))
    assert cal.deadline(Tier.NORMATIF, wita(2026, 11, 27, 10, 0)) == wita(2026, 11, 30, 16, 0)
    assert cal.allowance_text(Tier.NORMATIF) == "1 hari kerja"
    assert cal.allowance_text(Tier.RINGAN) == "3 jam kerja"


# --- spans ----------------------------------------------------------------------------------------


def test_working_time_between(cal: WorkCalendar) -> None:
    # Friday 15:00 → Monday 09:00: 1.5 h + 1.5 h.
    span = cal.working_time_between(wita(2026, 11, 27, 15, 0), wita(2026, 11, 30, 9, 0))
    assert span.duration == dt.timedelta(hours=3)
    assert span.describe() == "3 jam kerja"
    # Tuesday 10:00 → Friday 16:30: 6 + 8.5 + 8.5 + 9 h = 3 days of 8.5 h + 6.5 h.
    span = cal.working_time_between(wita(2026, 11, 24, 10, 0), wita(2026, 11, 27, 16, 30))
    assert span.duration == dt.timedelta(hours=32)
    assert span.days_and_hours() == (3, dt.timedelta(hours=6, minutes=30))
    assert span.describe() == "3 hari kerja 6 jam 30 menit"
    # Outside office hours only, and reversed: zero.
    assert cal.working_time_between(wita(2026, 11, 27, 17, 0), wita(2026, 11, 30, 7, 0)).is_zero
    assert cal.working_time_between(wita(2026, 11, 30, 9, 0), wita(2026, 11, 27, 9, 0)).is_zero
    # Across years and holidays: Wed 23 Dec 2026 16:00 → Mon 4 Jan 2027 16:00 = 5 days.
    span = cal.working_time_between(wita(2026, 12, 23, 16, 0), wita(2027, 1, 4, 16, 0))
    assert span.duration == dt.timedelta(hours=8.5 * 5)
    assert span.describe() == "5 hari kerja"
    # Lateness is measured by swapping the arguments.
    late = cal.working_time_between(wita(2026, 11, 26, 13, 0), wita(2026, 11, 27, 10, 30))
    assert late.describe() == "6 jam kerja"


def test_count_working_days(cal: WorkCalendar) -> None:
    assert cal.count_working_days(dt.date(2026, 12, 23), dt.date(2027, 1, 4)) == 5
    assert cal.count_working_days(dt.date(2027, 1, 4), dt.date(2026, 12, 23)) == 0


def test_elapsed_share(cal: WorkCalendar) -> None:
    received = wita(2026, 11, 27, 15, 0)
    deadline = cal.deadline(Tier.RINGAN, received)
    assert cal.elapsed_share(received, deadline, received) == 0.0
    assert cal.elapsed_share(received, deadline, wita(2026, 11, 27, 16, 30)) == 0.5
    assert cal.elapsed_share(received, deadline, wita(2026, 11, 29, 12, 0)) == 0.5
    assert cal.elapsed_share(received, deadline, wita(2026, 11, 30, 8, 37, 30)) == 0.875
    assert cal.elapsed_share(received, deadline, deadline) == 1.0
    assert cal.elapsed_share(received, deadline, wita(2026, 12, 10, 9, 0)) == 1.0
    assert cal.elapsed_share(received, received, received) == 1.0


# --- invariants over many receipt times -----------------------------------------------------------


def _random_receipts(count: int, seed: int) -> list[dt.datetime]:
    rng = random.Random(seed)
    start = wita(2026, 1, 1).timestamp()
    end = wita(2028, 1, 1).timestamp()
    zones = (WITA, UTC, ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Jayapura"))
    return [
        dt.datetime.fromtimestamp(rng.uniform(start, end), rng.choice(zones)) for _ in range(count)
    ]


@pytest.mark.parametrize("tier", [Tier.NORMATIF, Tier.TIDAK_BERKADAR, Tier.BERKADAR])
def test_day_tier_invariants(cal: WorkCalendar, tier: Tier) -> None:
    days = cal.working_days_for(tier)
    assert days is not None
    for received in _random_receipts(400, seed=tier.rank):
        deadline = cal.deadline(tier, received)
        receipt_day = received.astimezone(WITA).date()
        assert deadline.tzinfo == WITA
        assert cal.is_working_day(deadline.date())
        hours = cal.office_hours_on(deadline.date())
        assert hours is not None and deadline == hours[1]
        between = [
            receipt_day + dt.timedelta(days=offset)
            for offset in range(1, (deadline.date() - receipt_day).days)
        ]
        assert sum(cal.is_working_day(day) for day in between) == days - 1


def test_ringan_invariants(cal: WorkCalendar) -> None:
    for received in _random_receipts(1000, seed=7):
        deadline = cal.deadline(Tier.RINGAN, received)
        assert deadline.tzinfo == WITA
        assert deadline > received
        hours = cal.office_hours_on(deadline.date())
        assert hours is not None and hours[0] < deadline <= hours[1]
        assert cal.working_time_between(received, deadline).duration == dt.timedelta(hours=3)
        assert cal.elapsed_share(received, deadline, deadline) == 1.0
