"""The fake Aployee HTTP server: production routes (`/v1`), the control plane (`/_sim`), OpenAPI.

Composition layer over `simulator.platform.Platform`: Starlette on uvicorn (uvloop + httptools),
one lock around the platform, the engine stepped by a background driver thread.

    from simulator.server.thread import ServerThread
    with ServerThread(sim=Simulator(seed=1), api_key="k", clock="auto") as srv:
        httpx.get(srv.base_url + "/health", headers={"Authorization": "Bearer k"})

Nothing is imported here so that `import simulator.server.thread` stays cheap for the pytest plugin.
"""
