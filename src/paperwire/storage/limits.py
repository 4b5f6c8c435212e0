"""Rate limits shared by every worker and host: `store.limits`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from paperwire.storage.database import Noun


class Limits(ABC):
    @abstractmethod
    def hit_rate_limit(self, key: str, window_seconds: int, limit: int, now: datetime) -> bool:
        """Count one hit against key in the current fixed window; False when it exceeds the limit."""


class LimitsSQL(Noun, Limits):
    def hit_rate_limit(self, key: str, window_seconds: int, limit: int, now: datetime) -> bool:
        window = int(now.timestamp()) // window_seconds * window_seconds
        with self.db.transaction() as conn:
            hits = conn.value(
                'INSERT INTO rate_limits (key, "window", hits) VALUES (?, ?, 1) '
                'ON CONFLICT (key, "window") DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits',
                (key, window),
            )
            if hits == 1:  # a new window: forget this key's old ones
                conn.execute('DELETE FROM rate_limits WHERE key = ? AND "window" < ?', (key, window))
        return hits <= limit
