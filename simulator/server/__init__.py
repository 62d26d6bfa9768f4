"""The fake Aployee HTTP server: production routes (`/v1`), the control plane (`/_sim`), OpenAPI.

Composition layer over `aployee_sim.platform.platform.Platform`: Starlette on uvicorn (uvloop + httptools),
one lock around the platform, the engine stepped by a background driver thread.

    from aployee_sim.server.thread import ServerThread
    with ServerThread(sim=Simulator(seed=1), api_key="k", clock="auto") as srv:
        httpx.get(srv.base_url + "/health", headers={"Authorization": "Bearer k"})

Nothing is imported here so that `import aployee_sim.server.thread` stays cheap for the pytest plugin.
"""
