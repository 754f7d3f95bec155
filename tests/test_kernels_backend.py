"""byhand.kernels' backends: numba is not imported by ``import byhand``; without numba
(BYHAND_KERNELS=numpy, or numba failing to import) byhand runs on NumPy with the same results
and says so once; with no writable cache folder (a read-only install) the kernels compile in
memory. Each case runs in a fresh interpreter, as a user's process would."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import byhand
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


# every compiled kernel reached through the public layers and estimators (float32 and float64,
# or float32 only with the argument "float32-only"); the outputs saved to the .npz of argv[1]
_EVERY_KERNEL = """
import sys, numpy as np
from byhand import kernels
from byhand.nn import AvgPool2d, Conv2d, CrossEntropyLoss, MaxPool2d, ReLU
from byhand.linear_model import Perceptron
from byhand.neighbors import KNeighborsClassifier
rng = np.random.default_rng(0)
out = {}
for dtype in (np.float32, np.float64)[: 1 if "float32-only" in sys.argv else 2]:
    x = rng.standard_normal((2, 3, 8, 8)).astype(dtype)
    for name, m in [("max2", MaxPool2d(2)), ("max3", MaxPool2d(3, 1)), ("avg2", AvgPool2d(2)),
                    ("conv", Conv2d(3, 4, 3, random_state=0, dtype=dtype)),
                    ("relu", ReLU(inplace=True))]:
        y = m.forward(x.copy())
        out[f"{name}-{dtype.__name__}-y"] = y
        g = np.linspace(-1, 1, y.size).reshape(y.shape).astype(dtype)
        out[f"{name}-{dtype.__name__}-g"] = m.backward(g)
    z = rng.standard_normal((16, 5)).astype(dtype)
    ce = CrossEntropyLoss()
    out[f"ce-{dtype.__name__}"] = np.array([ce._forward(z, rng.integers(0, 5, 16))])
    out[f"ce-{dtype.__name__}-g"] = ce.backward()
X = np.random.default_rng(1).standard_normal((200, 6))
y = np.where(X[:, 0] + 0.1 * X[:, 1] > 0, 1, -1)
import warnings
warnings.filterwarnings("ignore", message="Perceptron stopped")  # 5 epochs: expected
out["perceptron"] = Perceptron(max_iter=5, shuffle=False).fit(X, y).coef_
d, i = KNeighborsClassifier(5).fit(X, y).kneighbors(X[:40] + 0.01)
out["knn-d"], out["knn-i"] = d, i
np.savez(sys.argv[1], **out)
print("RESULT", kernels.backend(), "-")
"""
_BITWISE = ("max2", "max3", "avg2", "relu", "perceptron", "knn")  # knn: its indices


def _python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "BYHAND_KERNELS"} | env
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
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


def test_import_byhand_under_300_ms():
    """Issue 24: ``import byhand`` stays under 0.3 s (best of three fresh interpreters,
    interpreter start-up excluded); it imports neither numba nor scikit-learn."""
    code = (
        "import sys, time\nt = time.perf_counter()\nimport byhand\n"
        "print(time.perf_counter() - t, 'numba' in sys.modules, 'sklearn' in sys.modules)"
    )
    runs = [_python(code).stdout.split() for _ in range(3)]
    assert min(float(r[0]) for r in runs) < 0.3, runs
    assert all(r[1:] == ["False", "False"] for r in runs), runs


def test_numba_missing_every_layer_runs_on_numpy_with_the_same_results(tmp_path):
    """numba failing to import: one KernelsWarning, then every kernel's layer or estimator
    (pooling, Conv2d, ReLU, the loss, the perceptron, k-NN) gives numba's results: bit for
    bit where no arithmetic is reordered, to float rounding elsewhere."""
    pytest.importorskip("numba")
    compiled_run = _python(_EVERY_KERNEL, str(tmp_path / "numba.npz"))
    broken = "import sys; sys.modules['numba'] = None  # import numba: ImportError\n"
    proc = _python(broken + _EVERY_KERNEL, str(tmp_path / "numpy.npz"), PYTHONWARNINGS="always")
    assert _result(compiled_run)[0] == "numba" and _result(proc)[0] == "numpy"
    assert proc.stderr.count("KernelsWarning") == 1 and "Traceback" not in proc.stderr
    fast, slow = np.load(tmp_path / "numba.npz"), np.load(tmp_path / "numpy.npz")
    assert sorted(fast.files) == sorted(slow.files) and len(fast.files) == 27
    for name in fast.files:
        if name.split("-")[0] in _BITWISE and name != "knn-d":
            np.testing.assert_array_equal(fast[name], slow[name], err_msg=name)
        else:
            tol = 1e-5 if "float32" in name else 1e-12
            np.testing.assert_allclose(fast[name], slow[name], rtol=tol, atol=tol, err_msg=name)


def _read_only_runner(folders: list[Path]) -> list[str] | None:
    """A command prefix under which ``folders`` are truly read-only: a private read-only bind
    mount (``unshare -m``, for root, whom permission bits do not stop), else the permission
    bits themselves (for other users); None where neither is possible."""
    if os.geteuid() != 0:
        for f in folders:
            for path in [f, *f.rglob("*")]:
                path.chmod(path.stat().st_mode & ~0o222)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    mounts = " && ".join(
        f"mount --bind {shlex.quote(str(f))} {shlex.quote(str(f))} && "
        f"mount -o remount,bind,ro {shlex.quote(str(f))}"
        for f in folders
    )
    probe = subprocess.run(
        [unshare, "-m", "sh", "-c", f"{mounts} && ! touch {shlex.quote(str(folders[0]))}/x"],
        capture_output=True,
    )
    if probe.returncode != 0:
        return None
    return [unshare, "-m", "sh", "-c", f'{mounts} && exec "$@"', "sh"]


def test_read_only_folders_compile_in_memory_same_results(tmp_path):
    """A read-only install for real: byhand's package folder (a copy, so no cache of earlier
    runs is found next to it), NUMBA_CACHE_DIR and the home folder (numba's user-wide cache)
    all on read-only file systems. The kernels compile in memory: no exception, no warning,
    one log line, the same results as with a writable cache (float32: compiling every kernel
    for both dtypes in memory would take the suite ~10 s)."""
    pytest.importorskip("numba")
    _python(_EVERY_KERNEL, str(tmp_path / "cached.npz"))
    site, cache, out = tmp_path / "site", tmp_path / "cache", tmp_path / "out"
    shutil.copytree(
        Path(byhand.__file__).parent, site / "byhand", ignore=shutil.ignore_patterns("__pycache__")
    )
    cache.mkdir()
    out.mkdir()
    runner = _read_only_runner([site, cache])
    if runner is None:
        pytest.skip("no way to make a folder read-only here (root without unshare -m)")
    env = {k: v for k, v in os.environ.items() if k not in ("BYHAND_KERNELS", "XDG_CACHE_HOME")}
    env |= {
        "NUMBA_CACHE_DIR": str(cache),
        "HOME": str(cache),
        "PYTHONPATH": str(site),
        "PYTHONWARNINGS": "always",
    }
    setup = "import logging; logging.basicConfig(level=logging.INFO)\n"
    script = setup + f"import byhand; assert byhand.__file__.startswith({str(site)!r})\n"
    proc = subprocess.run(
        [
            *runner,
            sys.executable,
            "-c",
            script + _EVERY_KERNEL,
            str(out / "ro.npz"),
            "float32-only",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _result(proc)[0] == "numba"
    assert proc.stderr.count("compiling in memory") == 1, proc.stderr[-3000:]
    assert "Warning" not in proc.stderr, proc.stderr[-3000:]
    assert not list(cache.rglob("*")) and not list(site.rglob("*.nbi"))
    ref, ro = np.load(tmp_path / "cached.npz"), np.load(out / "ro.npz")
    assert len(ro.files) == 15
    for name in ro.files:
        np.testing.assert_array_equal(ref[name], ro[name], err_msg=name)


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
