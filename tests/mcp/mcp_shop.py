"""The MCP server the MCP tests talk to: a small shop with the MCP page's tools and a few that
misbehave on purpose. Run as a script it serves over stdio (`python mcp_shop.py`)."""

from __future__ import annotations

import asyncio

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image
from pydantic import BaseModel


class Customer(BaseModel):
    customer_id: str
    name: str
    tier: str


def build_shop(name: str = "shop") -> MCPServer:
    shop = MCPServer(name)

    @shop.tool()
    def lookup_customer(phone: str) -> Customer:
        """The customer with this phone number (structured content)."""
        return Customer(customer_id="C-7", name="Dana Reyes", tier="gold")

    @shop.tool()
    def check_order_status(order_id: str) -> dict:
        """An order's status (a dict: sent as JSON text)."""
        if order_id == "0":
            raise ToolError(f"no order {order_id}")
        return {"order_id": order_id, "status": "shipped", "eta": "Friday"}

    @shop.tool()
    def create_ticket(subject: str, priority: str = "normal") -> str:
        """Open a support ticket (plain text)."""
        return f"Ticket T-100 opened: {subject} ({priority})"

    @shop.tool()
    def schedule_callback(when: str) -> str:
        """Always crashes, as buggy tools do."""
        raise RuntimeError("calendar service unavailable")

    @shop.tool()
    async def slow_lookup(seconds: float) -> str:
        """Answers after `seconds` of wall time."""
        await asyncio.sleep(seconds)
        return "finally"

    @shop.tool()
    def product_photo(sku: str) -> Image:
        """An image: nothing a voice can say."""
        return Image(data=b"\x89PNG\r\n\x1a\n", format="png")

    return shop


if __name__ == "__main__":
    build_shop("shop-stdio").run("stdio")
