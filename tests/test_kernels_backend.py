"""byhand.kernels' backends: numba is not imported by ``import byhand``; without numba
(BYHAND_KERNELS=numpy, or numba failing to import) byhand runs on NumPy with the same results
and says so once; with no writable cache folder (a read-only install) the kernels compile in
memory. Each case runs in a fresh interpreter, as a user's process would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from byhand import kernels

# a max pooling and its gradient, printed as the bytes' hash, and the backend that ran it
_POOL = """
import hashlib, numpy as np
from byhand import kernels
from byhand.nn import MaxPool2d
x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
m = MaxPool2d(2)
y = m.forward(x)
g = m.backward(np.ones_like(y))
m.forward(x)  # a second call: the fallback is said once, not per call
print("RESULT", kernels.backend(), hashlib.sha1(y.tobytes() + g.tobytes()).hexdigest())
"""


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "BYHAND_KERNELS"} | env
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        check=True,
    )


def _result(proc: subprocess.CompletedProcess[str]) -> tuple[str, str]:
    line = next(s for s in proc.stdout.splitlines() if s.startswith("RESULT"))
    _, backend, digest = line.split()
    return backend, digest


def test_import_byhand_does_not_import_numba():
    proc = _python("import sys, byhand, byhand.nn, byhand.kernels\nprint('numba' in sys.modules)")
    assert proc.stdout.strip() == "False"


def test_numpy_backend_by_environment_same_results_said_once_in_the_log():
    pytest.importorskip("numba")
    setup = "import logging; logging.basicConfig(level=logging.INFO)\n"
    numba_backend, numba_digest = _result(_python(_POOL))
    proc = _python(setup + _POOL, BYHAND_KERNELS="numpy")
    assert _result(proc) == ("numpy", numba_digest) and numba_backend == "numba"
    assert proc.stderr.count("BYHAND_KERNELS=numpy, running on NumPy") == 1


def test_numba_failing_to_import_falls_back_to_numpy_with_one_warning():
    pytest.importorskip("numba")
    _, numba_digest = _result(_python(_POOL))
    broken = "import sys, warnings; sys.modules['numba'] = None  # import numba: ImportError\n"
    proc = _python(broken + _POOL, PYTHONWARNINGS="always")
    assert _result(proc) == ("numpy", numba_digest)
    assert proc.stderr.count("KernelsWarning") == 1
    assert "numba could not be imported" in proc.stderr


def test_read_only_install_compiles_in_memory(tmp_path):
    pytest.importorskip("numba")
    _, numba_digest = _result(_python(_POOL))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    # every cache location refuses, as on a read-only file system (we may be root, so the
    # permission bits alone would not stop a write): NUMBA_CACHE_DIR under a regular file,
    # and the folders numba tries next refuse their test write
    read_only = """
        import logging; logging.basicConfig(level=logging.INFO)
        from numba.core import caching
        def refuse(self):
            raise PermissionError(30, "Read-only file system", self.get_cache_path())
        caching._CacheLocator.ensure_cache_path = refuse
    """
    proc = _python(textwrap.dedent(read_only) + _POOL, NUMBA_CACHE_DIR=str(blocker / "cache"))
    assert _result(proc) == ("numba", numba_digest)
    assert proc.stderr.count("compiling in memory") == 1


def test_backend_choices_are_checked():
    with pytest.raises(ValueError, match="backend must be one of"):
        kernels.set_backend("cuda")
    proc = subprocess.run(
        [sys.executable, "-c", _POOL],
        capture_output=True,
        text=True,
        env={**os.environ, "BYHAND_KERNELS": "fortran"},
        timeout=120,
    )
    assert proc.returncode != 0 and "BYHAND_KERNELS must be 'numba' or 'numpy'" in proc.stderr


def test_kernels_docstring_examples_run():
    import doctest

    result = doctest.testmod(kernels)
    assert result.attempted >= 2 and result.failed == 0
