"""The forked worker pools of the load and render stages, made one way.

Ctrl-C in a terminal sends SIGINT to the whole process group: every worker would raise
KeyboardInterrupt and print its traceback (and one dying while it writes a result can leave
the pool's pipe locked, so the parent waits for ever). Workers ignore SIGINT instead; the
parent gets it, leaves its `with` block, and the pool terminates them.
"""
from __future__ import annotations

import multiprocessing
import signal
from multiprocessing.pool import Pool


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def fork_pool(processes: int) -> Pool:
    return multiprocessing.get_context("fork").Pool(processes, initializer=_leave_sigint_to_the_parent)


def _leave_sigint_to_the_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
