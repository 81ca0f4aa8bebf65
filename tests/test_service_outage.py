"""A service that stops answering gives a 504 in the family envelope, not a hung request."""
import time


def test_requests_to_a_stopped_service_time_out_with_504_and_recover(api, system):
    ws = api.signup()
    system.kill_component("directory")
    try:
        started = time.monotonic()
        response = api.get("/api/directory/users", token=ws.token)
        elapsed = time.monotonic() - started
        assert response.status_code == 504
        assert response.json()["res"] == "error" and response.json()["code"] == 17
        assert elapsed < 9  # the test system's RPC deadline is 5s
        assert system.health()["services"]["directory"] == "timeout"
    finally:
        system.start_component("directory")
        system.wait_healthy()
    assert api.get("/api/directory/users", token=ws.token).status_code == 200
