"""Rate limits in the store: counted per key and fixed window. Both databases."""

from datetime import UTC, datetime, timedelta

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def test_rate_limits_count_per_key_and_window(seeded):
    assert all(seeded.limits.hit_rate_limit("vote:1", 60, 3, NOW) for _ in range(3))
    assert not seeded.limits.hit_rate_limit("vote:1", 60, 3, NOW)
    assert seeded.limits.hit_rate_limit("vote:2", 60, 3, NOW)  # another key
    assert seeded.limits.hit_rate_limit("vote:1", 60, 3, NOW + timedelta(seconds=60))  # a new window
