"""The SDK's dynamic provider server with a wider gRPC thread pool, to see whether its pool bounds us.

``pulumi.dynamic.__main__`` serves with ``ThreadPoolExecutor(max_workers=4)``: at most four
provider calls run at once whatever ``--parallel`` says. The benchmark starts this module instead
(through ``PULUMI_PYTHON_CMD``) with ``BENCH_PROVIDER_WORKERS`` workers; nothing else changes.
"""

from __future__ import annotations

import concurrent.futures
import os
import runpy
from typing import Any

WORKERS = int(os.environ.get("BENCH_PROVIDER_WORKERS") or 4)
_ThreadPoolExecutor = concurrent.futures.ThreadPoolExecutor


class _WidePool(_ThreadPoolExecutor):
    def __init__(self, max_workers: int | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(WORKERS, *args, **kwargs)


concurrent.futures.ThreadPoolExecutor = _WidePool  # type: ignore[misc]
runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
