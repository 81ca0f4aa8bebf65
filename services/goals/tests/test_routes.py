"""The goals routes of the gateway (no broker, no database): every action is its own RPC entrypoint
of GoalsService, and every route and action names its summary and body schema for the API
reference."""
import inspect

from marshmallow import Schema
from nameko.rpc import Rpc

from gateway.routes import goals as routes
from services.goals.service import GoalsService

ACTION_MAPS = (routes.LIST_ACTIONS, routes.GOAL_ACTIONS, routes.UNASSIGN_ACTIONS)


def rpc_methods():
    return {name for name, member in inspect.getmembers(GoalsService, inspect.isfunction)
            if any(isinstance(e, Rpc) for e in getattr(member, "nameko_entrypoints", ()))}


def test_every_action_is_its_own_rpc_entrypoint_and_none_branches_again():
    methods = [action.method for actions in ACTION_MAPS for action in actions.values()]
    assert len(methods) == len(set(methods))  # no two actions share an RPC
    assert set(methods) <= rpc_methods()
    assert "goal_action" not in rpc_methods() and "unassign_goal" not in rpc_methods()
    assert set(routes.GOAL_ACTIONS) == {"create", "update", "delete"}
    assert set(routes.UNASSIGN_ACTIONS) == {"unassign_users", "unassign_groups"}


def test_every_route_and_action_has_a_summary_and_a_body_schema():
    for route in routes.ROUTES:
        assert route.summary and issubclass(route.body, Schema), route.path
    for actions in ACTION_MAPS:
        for name, action in actions.items():
            assert issubclass(action.body, Schema), name
