"""The service container every process runs (config.yaml: SERVICE_CONTAINER_CLS).

nameko's ServiceContainer with a worker's fixed cost cut, the steps and their order unchanged:
nameko wraps each step of a worker in a timing context manager that only feeds debug logs (four per
worker), formats the call stack for a debug line, and calls every dependency provider's
`worker_setup`, `worker_result` and `worker_teardown`, most of which are DependencyProvider's
no-ops. Here each hook is called only on the providers that define it, and the timings are left
out (nameko's debug logging of workers is not used: LOG_LEVEL is INFO at most).
"""

import logging
import sys
from collections.abc import Callable
from typing import Any

from nameko.containers import ServiceContainer
from nameko.extensions import DependencyProvider

log = logging.getLogger("nameko.containers")  # nameko's own logger: its messages stay where they were

HOOKS = ("worker_setup", "worker_result", "worker_teardown")


class LeanContainer(ServiceContainer):
    def _providers_with(self, hook: str) -> list[Any]:
        """The dependency providers that override `hook` (computed once: the set is fixed at start)."""
        cache: dict[str, list[Any]] = self.__dict__.setdefault("_providers_by_hook", {})
        providers = cache.get(hook)
        if providers is None:
            base = getattr(DependencyProvider, hook)
            providers = cache[hook] = [
                provider for provider in self.dependencies if getattr(type(provider), hook) is not base
            ]
        return providers

    def _run_worker(self, worker_ctx: Any, handle_result: Callable[..., Any] | None) -> None:
        self._inject_dependencies(worker_ctx)
        self._worker_setup(worker_ctx)
        result: Any = None
        exc_info: Any = None
        method = getattr(worker_ctx.service, worker_ctx.entrypoint.method_name)
        try:
            result = method(*worker_ctx.args, **worker_ctx.kwargs)
        except Exception as exc:
            if isinstance(exc, worker_ctx.entrypoint.expected_exceptions):
                log.warning("(expected) error handling worker %s: %s", worker_ctx, exc, exc_info=True)
            else:
                log.exception("error handling worker %s: %s", worker_ctx, exc)
            exc_info = sys.exc_info()
        if handle_result is not None:
            result, exc_info = handle_result(worker_ctx, result, exc_info)
        self._worker_result(worker_ctx, result, exc_info)
        del exc_info  # breaks the cycle through the traceback, as nameko does
        self._worker_teardown(worker_ctx)

    def _worker_setup(self, worker_ctx: Any) -> None:
        for provider in self._providers_with("worker_setup"):
            provider.worker_setup(worker_ctx)

    def _worker_result(self, worker_ctx: Any, result: Any, exc_info: Any) -> None:
        for provider in self._providers_with("worker_result"):
            provider.worker_result(worker_ctx, result, exc_info)

    def _worker_teardown(self, worker_ctx: Any) -> None:
        for provider in self._providers_with("worker_teardown"):
            provider.worker_teardown(worker_ctx)
