"""Comments: the model. (Markdown rendering arrives with the sanitiser.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class Comment:
    id: int
    paper_id: str
    user_id: int
    author: str  # the author's username
    body: str  # the Markdown source
    created_at: datetime
    hidden: bool = False
