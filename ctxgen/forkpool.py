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
    # SIGINT is blocked while the workers fork: one arriving between a fork and the initializer
    # would interrupt the child's at-fork hooks ("Exception ignored in ... _releaseLock").
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool = multiprocessing.get_context("fork").Pool(processes, initializer=_leave_sigint_to_the_parent)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a Ctrl-C that came meanwhile is raised here
    return pool


def _leave_sigint_to_the_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # drops one pending from the fork, too
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
