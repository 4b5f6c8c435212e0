"""A write's values and its answer: a browser form gets a redirect, an API call gets JSON."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse

from paperwire.web.security import is_form, safe_next


async def field(request: Request, name: str) -> str | None:
    """A value from the form or the JSON body."""
    if is_form(request):
        value = (await request.form()).get(name)
    else:
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "send a JSON object or a form") from None
        value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


async def answer(request: Request, payload: dict, back: str):
    if is_form(request):
        return RedirectResponse(safe_next(await field(request, "next"), back), status_code=303)
    return JSONResponse(payload)


async def flag(request: Request, name: str) -> bool:
    """A yes/no field: yes unless it is "0" or "false" (an absent field is yes)."""
    return (await field(request, name)) not in ("0", "false")
