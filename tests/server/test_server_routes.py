"""Every production route against the real server: shapes and values exactly as docs/contract.md §1–3 says."""

from __future__ import annotations

from server_helpers import client_for, make_assistant, make_call

from aployee_sim.contract import models as m

CALL_FIELDS = set(m.CallDetails.model_fields) - {"from_"} | {"from"}


def test_service_info_and_health(api):
    assert api.get("/v1/health").json() == {"status": "ok"}
    for path in ("/v1/", "/v1"):
        info = api.get(path).json()
        assert info["service"] == "aployee" and info["environment"] == "simulator" and info["version"]


def test_calls_page_create_example_round_trip(api, auto_server):
    assistant = make_assistant(api)
    body = {"assistant_id": assistant["id"], "to": "+15551234567", "from": "+15559876543",
            "initial_state": {"customer_id": "cust_12345", "campaign": "renewal_outreach"}}
    response = api.post("/v1/calls", json=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201
    created = response.json()
    assert list(created) == ["id", "assistant_id", "status", "to", "from", "created_at"]
    assert created["status"] == "initiated" and created["id"].startswith("call_")
    assert created["created_at"].endswith("Z") and created["from"] == "+15559876543"
    assert auto_server.wait_idle()
    details = api.get(f"/v1/calls/{created['id']}").json()
    assert set(details) == CALL_FIELDS
    assert details["status"] == "completed"  # nobody spoke: the silence timeout ended it
    assert details["final_state"] == body["initial_state"]
    assert details["duration_seconds"] >= 0 and details["summary"]
    assert details["transcript"][0] == {"role": "assistant", "content": "Hi, this is Alex. How can I help you today?"}


def test_call_projections(api, auto_server):
    call = make_call(api, make_assistant(api)["id"])
    auto_server.wait_idle()
    cid = call["id"]
    live = api.get(f"/v1/calls/{cid}/live-state").json()
    assert list(live) == ["call_id", "status", "duration_seconds", "transcript", "current_state", "reasoning_status"]
    assert live["reasoning_status"] == {"active": False, "started_at": None}
    transcript = api.get(f"/v1/calls/{cid}/transcript").json()
    assert list(transcript) == ["call_id", "transcript", "summary"]
    assert set(transcript["transcript"][0]) == {"role", "content", "timestamp", "confidence"}
    timeline = api.get(f"/v1/calls/{cid}/timeline").json()
    kinds = [e["type"] for e in timeline["events"]]
    assert kinds[0] == "call_started" and kinds[-1] == "call_ended"
    assert timeline["events"][-1]["reason"] == "silence_timeout"
    latency = api.get(f"/v1/calls/{cid}/latency").json()
    assert set(latency["components"]) == {"asr", "tts", "conversation_agent", "reasoning_agent", "webhooks", "mcp"}


def test_list_calls_filters_and_pagination(api, auto_server):
    first, second = make_assistant(api), make_assistant(api, name="Sam")
    ids = [make_call(api, first["id"])["id"] for _ in range(3)] + [make_call(api, second["id"], "+15005550002")["id"]]
    auto_server.wait_idle()
    page = api.get("/v1/calls", params={"limit": 2}).json()
    assert list(page) == ["data", "limit", "offset", "total", "has_more"]
    assert (page["limit"], page["offset"], page["total"], page["has_more"]) == (2, 0, 4, True)
    everything = api.get("/v1/calls").json()["data"]
    assert sorted(c["id"] for c in everything) == sorted(ids)
    assert [c["created_at"] for c in everything] == sorted((c["created_at"] for c in everything), reverse=True)
    assert api.get("/v1/calls", params={"offset": 3}).json()["has_more"] is False
    by_assistant = api.get("/v1/calls", params={"assistant_id": second["id"]}).json()
    assert [c["id"] for c in by_assistant["data"]] == [ids[3]]
    failed = api.get("/v1/calls", params={"status": "failed"}).json()
    assert [c["id"] for c in failed["data"]] == [ids[3]]
    day = everything[0]["created_at"][:10]
    assert api.get("/v1/calls", params={"from_date": day, "to_date": day}).json()["total"] == 4
    assert api.get("/v1/calls", params={"to_date": "2000-01-01"}).json()["total"] == 0
    # the Calls page's list example, verbatim apart from the host
    listed = api.get(f"/v1/calls?assistant_id={first['id']}&status=completed&limit=10").json()
    assert listed["total"] == 3 and listed["limit"] == 10


def test_assistants_crud(api):
    created = make_assistant(api, personality={"formality": "formal"}, unknown_field=1)
    assert created["id"].startswith("asst_") and created["personality"]["formality"] == "formal"
    assert "unknown_field" not in created and created["reasoning_mode"] == "builtin"
    assert api.get(f"/v1/assistants/{created['id']}").json() == created
    listed = api.get("/v1/assistants").json()
    assert listed == {"data": [created], "limit": 20, "offset": 0, "total": 1, "has_more": False}
    patched = api.patch(f"/v1/assistants/{created['id']}", json={"name": "Alexandra"})
    assert patched.status_code == 200 and patched.json()["name"] == "Alexandra"
    deleted = api.delete(f"/v1/assistants/{created['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert api.get(f"/v1/assistants/{created['id']}").status_code == 404
    assert api.get("/v1/assistants").json()["data"] == []


def test_organizations_and_phone_numbers_from_config(tmp_path):
    from aployee_sim.server.thread import ServerThread

    config = tmp_path / "sim.yaml"
    config.write_text('organizations:\n  - {id: org_acme, name: Acme Corp}\n'
                      'phone_numbers:\n  - {number: "+15550100000", id: pn_main, assistant: Alex}\n'
                      '  - {number: "+15550100001", assistant: asst_other, organization: org_acme}\n')
    with ServerThread(api_key="k", config=str(config)) as srv, client_for(srv) as api:
        assert srv.org_id == "org_acme"
        orgs = api.get("/v1/organizations").json()
        assert orgs["data"] == [{"id": "org_acme", "name": "Acme Corp", "created_at": "2024-01-15T10:30:00Z"}]
        assert (orgs["total"], orgs["has_more"]) == (1, False)
        assert api.get("/v1/organizations/org_acme").json() == orgs["data"][0]
        created = api.post("/v1/organizations", json={"name": "Beta"})
        assert created.status_code == 201 and created.json()["id"].startswith("org_")
        assert api.get("/v1/organizations", params={"limit": 1}).json()["has_more"] is True
        alex = make_assistant(api)
        numbers = api.get("/v1/phone-numbers").json()["data"]
        assert [n["number"] for n in numbers] == ["+15550100000", "+15550100001"]
        assert numbers[0] == {"id": "pn_main", "number": "+15550100000", "assistant_id": alex["id"],
                              "organization_id": None}
        assert api.get("/v1/phone-numbers/pn_main").json() == numbers[0]
        assert api.get("/v1/phone-numbers/pn_nope").status_code == 404
        api.post("/_sim/reset")
        assert [o["id"] for o in api.get("/v1/organizations").json()["data"]] == ["org_acme"]
        assert api.get("/v1/phone-numbers").json()["total"] == 2
        assert api.get("/v1/health", headers={"X-Organization-Id": "org_acme"}).status_code == 200
        srv.raise_errors()


def test_default_organization_when_none_is_configured(api, auto_server):
    orgs = api.get("/v1/organizations").json()["data"]
    assert [o["id"] for o in orgs] == [auto_server.org_id] and orgs[0]["name"] == "Simulator"
    assert api.get("/v1/phone-numbers").json()["data"] == []


def test_openapi_describes_every_served_production_route(api, auto_server):
    from aployee_sim.server import routes_sim, routes_v1

    document = api.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    described = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    served = {(method, path) for method, path, _ in routes_v1.ROUTES if path != "/v1"}
    control_plane = {(method, path) for method, path, _ in routes_sim.ROUTES}
    assert described == served | control_plane    # /_sim under its own tag, `simulator`
    schemas = document["components"]["schemas"]
    assert set(schemas["CallDetails"]["properties"]) == CALL_FIELDS
    assert schemas["AssistantCreate"]["required"] == ["name"]


def test_the_control_plane_url_of_the_banner_lists_its_routes(api, auto_server):
    from aployee_sim.server import routes_sim

    index = api.get("/_sim")
    assert index.status_code == 200, index.text
    listed = [(r["method"], r["path"]) for r in index.json()["routes"]]
    assert sorted(listed) == sorted((method, path) for method, path, _ in routes_sim.ROUTES)
    assert all(r["summary"] for r in index.json()["routes"]) and index.json()["openapi"] == "/openapi.json"
    assert api.get("/_sim", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_list_pages_follow_every_change_even_outside_http(api, auto_server):
    assistant = make_assistant(api)
    make_call(api, assistant["id"])
    auto_server.wait_idle()
    assert api.get("/v1/calls").json()["total"] == 1
    with auto_server.driver.lock:  # a change through the Python API, not through a route
        auto_server.sim.create_call({"assistant_id": assistant["id"], "to": "+15005550002"})
    page = api.get("/v1/calls").json()
    assert page["total"] == 2 and page["data"][0]["status"] == "initiated"
    auto_server.driver.kick()
    auto_server.wait_idle()
    assert api.get("/v1/calls").json()["data"][0]["status"] == "failed"
