"""A reasoning webhook, as an integrator would write it (Starlette): order status, hand-off to humans.

Aployee POSTs `{call_id, assistant_id, utterance, state, context, timestamp}` after each caller
utterance; we answer `{reply?, state}` (the state replaces the call's state) or a transfer action.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SUPPORT_LINE = "+15550100200"
ORDERS = {"ord_1001": "shipped yesterday and arrives tomorrow", "ord_1002": "waiting for stock"}


def decide(request: dict[str, Any]) -> dict[str, Any]:
    """The business logic: pure, so it is easy to test with generated requests too."""
    utterance = request["utterance"].lower()
    state = dict(request["state"])
    if "human" in utterance or "agent" in utterance:
        state["handoff"] = "requested"
        return {"action": "transfer", "target": SUPPORT_LINE, "state": state}
    if "order" in utterance:
        state["intent"] = "order_status"
        order = ORDERS.get(state.get("order_id", ""))
        reply = f"Your order {order}." if order else "I couldn't find your order. What is the order number?"
        return {"reply": reply, "state": state}
    return {"state": state}  # no reply: the conversation agent answers on its own


async def reason(request: Request) -> JSONResponse:
    body = await request.json()
    return JSONResponse(decide(body))


app = Starlette(routes=[Route("/reason", reason, methods=["POST"])])
