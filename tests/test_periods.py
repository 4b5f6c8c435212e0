from datetime import date

import pytest

from paperwire.periods import BadPeriod, parse_day, parse_month, parse_week


def test_periods_and_their_neighbours():
    week = parse_week("2025-W12")
    assert (week.start, week.end, week.label) == (date(2025, 3, 17), date(2025, 3, 23), "2025-W12")
    assert (week.previous().label, week.next().label) == ("2025-W11", "2025-W13")
    assert parse_week("2020-W53").end == date(2021, 1, 3)
    month = parse_month("2025-12")
    assert (month.start, month.end) == (date(2025, 12, 1), date(2025, 12, 31))
    assert (month.next().label, month.previous().label) == ("2026-01", "2025-11")
    assert parse_month("2024-02").end == date(2024, 2, 29)
    day = parse_day("2025-03-18")
    assert day.title == "Tuesday 18 March 2025" and day.next().label == "2025-03-19"


@pytest.mark.parametrize(
    "parse,text",
    [
        (parse_day, "2025-02-30"),
        (parse_day, "18/03/2025"),
        (parse_day, ""),
        (parse_week, "2025-W54"),
        (parse_week, "2025-12"),
        (parse_month, "2025-13"),
        (parse_month, "2025-00"),
        (parse_month, "March"),
    ],
)
def test_bad_periods_say_why(parse, text):
    with pytest.raises(BadPeriod) as err:
        parse(text)
    assert "\n" not in str(err.value) and str(err.value)
