"""The customer goals API's RPC entrypoints (seed 001), a mixin of the goals service's class:
one line each, to a use case."""
from infra.entrypoints import rpc
from services.goals.customer_goals.usecases import fetch, goals, metrics, picklists, templates


class CustomerGoalsRpc:
    @rpc
    def create_customer_goal(self, payload):
        return goals.create_goal(self.context(), payload)

    @rpc
    def update_customer_goal(self, payload):
        return goals.update_goal(self.context(), payload)

    @rpc
    def delete_customer_goals(self, payload):
        return goals.delete_goals(self.context(), payload)

    @rpc
    def fetch_customer_goals(self, payload):
        return fetch.fetch_goals(self.context(), payload)

    @rpc
    def create_goal_templates(self, payload):
        return templates.create_templates(self.context(), payload)

    @rpc
    def update_goal_templates(self, payload):
        return templates.update_templates(self.context(), payload)

    @rpc
    def delete_goal_templates(self, payload):
        return templates.delete_templates(self.context(), payload)

    @rpc
    def fetch_goal_templates(self, payload):
        return fetch.fetch_templates(self.context(), payload)

    @rpc
    def create_goal_metrics(self, payload):
        return metrics.create_metrics(self.context(), payload)

    @rpc
    def update_goal_metrics(self, payload):
        return metrics.update_metrics(self.context(), payload)

    @rpc
    def delete_goal_metrics(self, payload):
        return metrics.delete_metrics(self.context(), payload)

    @rpc
    def list_goal_picklists(self, payload):
        return picklists.list_picklists(self.context(), payload)

    @rpc
    def create_goal_picklists(self, payload):
        return picklists.create_picklists(self.context(), payload)
