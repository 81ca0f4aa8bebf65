"""Every directory route names what the API reference is generated from."""
from marshmallow import Schema

from gateway.routes import directory

WITHOUT_BODY = {("POST", "/api/directory/users/<int(max=9223372036854775807):user_id>/deactivate")}


def test_every_route_has_a_summary_and_every_write_its_body_schema():
    for route in directory.ROUTES:
        assert route.summary, route.path
        for method in route.methods:
            if method in ("POST", "PUT") and (method, route.path) not in WITHOUT_BODY:
                assert isinstance(route.body, type) and issubclass(route.body, Schema), (method, route.path)
            elif method in ("GET", "DELETE"):
                assert route.body is None, (method, route.path)
