"""Which backend runs the kernels, and the lazy numba compilation.

Nothing here imports numba at import time: :func:`backend` decides on first use (numba if it
imports and ``BYHAND_KERNELS`` is not ``numpy``), and :func:`compiled` compiles a loop on its
first call with ``numba.njit(cache=True)``. Where no cache folder is writable (a read-only
install), numba refuses ``cache=True``; the loop is then compiled in memory, once per process.
Either fallback is said once per process: a :class:`KernelsWarning` when numba cannot be
imported or cannot compile, a log line (logger ``byhand.kernels``) when the user chose NumPy or
when the cache is not writable.
"""

from __future__ import annotations

import logging
import numbers
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "KernelsWarning",
    "backend",
    "compiled",
    "current_threads",
    "set_backend",
    "threads",
    "using",
]

_log = logging.getLogger("byhand.kernels")
_BACKENDS = ("numba", "numpy")
_state: dict[str, Any] = {"backend": None, "said": set()}
_dispatchers: dict[Callable[..., Any], Any] = {}


class KernelsWarning(UserWarning):
    """byhand runs its loops on NumPy (numba is missing or failed): slower, same results."""


def _say_once(key: str, message: str, *, warn: bool) -> None:
    if key in _state["said"]:
        return
    _state["said"].add(key)
    if warn:
        warnings.warn(message, KernelsWarning, stacklevel=4)
    else:
        _log.info(message)


def _choose() -> str:
    wanted = os.environ.get("BYHAND_KERNELS", "").strip().lower()
    if wanted == "numpy":
        _say_once("numpy", "byhand.kernels: BYHAND_KERNELS=numpy, running on NumPy", warn=False)
        return "numpy"
    if wanted not in ("", "numba"):
        raise ValueError(f"BYHAND_KERNELS must be 'numba' or 'numpy', got {wanted!r}")
    try:
        import numba  # noqa: F401
    except Exception as e:  # ImportError, or a numba built for another NumPy
        _say_once(
            "numpy",
            f"byhand.kernels: numba could not be imported ({type(e).__name__}: {e}); "
            "byhand runs its loops on NumPy (same results, slower)",
            warn=True,
        )
        return "numpy"
    return "numba"


def backend() -> str:
    """'numba' or 'numpy': the backend the kernels run on (decided on first use)."""
    if _state["backend"] is None:
        _state["backend"] = _choose()
    return _state["backend"]


def set_backend(name: str | None) -> str | None:
    """Run the kernels on ``name`` ('numba', 'numpy', or None: decide again); returns the
    previous choice. 'numba' raises ImportError when numba cannot be imported."""
    if name not in (*_BACKENDS, None):
        raise ValueError(f"backend must be one of {_BACKENDS} or None, got {name!r}")
    if name == "numba":
        import numba  # noqa: F401
    previous, _state["backend"] = _state["backend"], name
    return previous


@contextmanager
def using(name: str) -> Iterator[None]:
    """``with using('numpy'): ...`` runs the block on that backend."""
    previous = set_backend(name)
    try:
        yield
    finally:
        _state["backend"] = previous


def compiled(loop: Callable[..., Any], fastmath: Any = False, parallel: bool = False) -> Any:
    """The numba dispatcher of ``loop`` (compiled per argument types on first call);
    ``fastmath``: numba's flags (a set such as {"reassoc"}), off by default; ``parallel``:
    its ``prange`` loop shared among numba's threads (:func:`threads`), each iteration
    independent of the others, so the result does not depend on the number of threads."""
    dispatcher = _dispatchers.get(loop)
    if dispatcher is None:
        import numba

        import byhand.kernels._intrinsics  # noqa: F401  (the hints' compiled meaning)

        options = {"nogil": True, "error_model": "numpy", "fastmath": fastmath}
        if parallel:
            options["parallel"] = True
        try:
            dispatcher = numba.njit(cache=True, **options)(loop)
        except RuntimeError as e:  # "cannot cache function ...: no locator available"
            _say_once(
                "memory",
                f"byhand.kernels: no writable cache folder ({e}); compiling in memory",
                warn=False,
            )
            dispatcher = numba.njit(cache=False, **options)(loop)
        if parallel:
            dispatcher = _one_at_a_time(dispatcher)
        _dispatchers[loop] = dispatcher
    return dispatcher


_LAUNCH = threading.Lock()


class _Threads(threading.local):
    n = 1  # the parallel loops' threads in this thread (one unless asked: :func:`threads`)


_THREADS = _Threads()


def current_threads() -> int:
    """The number of threads the parallel loops run on in this thread (1 by default)."""
    return _THREADS.n


def _one_at_a_time(dispatcher: Any) -> Callable[..., Any]:
    """The parallel loop on :func:`current_threads` threads, launched by one thread at a
    time: numba's "workqueue" threading layer (its fallback where OpenMP and TBB are missing)
    aborts the process on concurrent launches (a user's threads, a thread pool)."""
    import numba

    set_threads = numba.set_num_threads

    def launch(*args: Any) -> Any:
        with _LAUNCH:
            set_threads(_THREADS.n)
            return dispatcher(*args)

    launch.py_func = dispatcher.py_func  # type: ignore[attr-defined]
    launch.dispatcher = dispatcher  # type: ignore[attr-defined]
    return launch


@contextmanager
def threads(n: int | None) -> Iterator[None]:
    """``with threads(2): ...`` runs the parallel loops (convolution, max pooling) of this
    thread on ``n`` threads (at most the machine's cores); None changes nothing. One thread
    is the default: on a machine other jobs keep busy, threads waiting for each other made
    a LeNet step 3–15× slower (measured on 2 cores); on an idle machine two threads made it
    1.35× faster. The results are the same bits on any number of threads.

    Raises ValueError for an ``n`` that is not an integer >= 1.

    Examples
    --------
    >>> from byhand import kernels
    >>> with kernels.threads(2):
    ...     kernels.current_threads() >= 1
    True
    """
    if n is not None and (isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1):
        raise ValueError(f"threads: n must be None or an integer >= 1, got {n!r}")
    if n is None:
        yield
        return
    cores = os.cpu_count() or 1
    if backend() == "numba":
        import numba

        cores = numba.config.NUMBA_NUM_THREADS
    previous, _THREADS.n = _THREADS.n, min(int(n), cores)
    try:
        yield
    finally:
        _THREADS.n = previous
