"""Model files: one ``.npz`` archive of NumPy arrays plus a ``metadata.json`` entry. No pickle.

``save(model, path)`` writes a fitted byhand estimator; ``load(path)`` rebuilds it so that its
predictions are identical. The archive holds

- ``metadata.json``: format name and version, byhand and NumPy versions, the estimator's
  class (from an allow-list of byhand estimators), its ``get_params()``, ``n_features_in_``,
  ``classes_``, and every other attribute as a JSON tree in which arrays are references to
  archive members (with dtype, shape and SHA-256), tuples, NumPy scalars, dtypes, random
  generators and byhand objects (modules, parameters, losses, schedules, optimisers) are
  tagged ``{"__tag__": …}`` entries; a step-size schedule is ``{"__schedule__": name,
  "params": {…}}``;
- one ``.npy`` member per array (``a0.npy``, ``a1.npy``, …).

Loading uses ``numpy.load(allow_pickle=False)`` and only ever instantiates allow-listed
byhand classes from plain data (``cls.__new__`` plus the saved attributes, as a pickle would,
but with no code named by the file): reading a file never runs code from it. Writing goes to a
temporary file in the same folder which is renamed over ``path`` (``os.replace``), so a crash
never leaves a half-written model. A truncated, corrupted, foreign or newer-format file raises
:class:`ModelFileError` (a ``ValueError``) naming the file and the problem.

The training loop these files come from is EE-559 3.6 (Fleuret, EPFL, 2019)
"Back-propagation" (forward, backward, gradient step): a model file is the θ it ends with.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import tempfile
import types
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "byhand-model"
FORMAT_VERSION = 1
META = "metadata.json"

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "save"]


class ModelFileError(ValueError):
    """A file is not a (readable) byhand model or checkpoint; the message says why.

    A ValueError, raised by :func:`load` and by checkpoint loading.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from byhand.io import ModelFileError, load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "not_a_model.npz"
    >>> _ = path.write_bytes(b"hello")
    >>> try:
    ...     load(path)
    ... except ModelFileError as e:
    ...     print(isinstance(e, ValueError), "not_a_model.npz" in str(e))
    True True
    """


# --------------------------------------------------------------------------- allow-list
def _allowed_bases() -> tuple[type, ...]:
    from sklearn.base import BaseEstimator

    from byhand.nn.losses import Loss
    from byhand.nn.module import Module, Parameter
    from byhand.optim.adam import Adam
    from byhand.optim.sgd import SGD, Averager
    from byhand.training import History

    return (Module, Loss, Parameter, SGD, Adam, Averager, History, BaseEstimator)


def _import_class(path: str, what: str) -> type:
    """The byhand class named ``module:qualname``; anything outside byhand is refused."""
    module, _, name = path.partition(":")
    if not (module == "byhand" or module.startswith("byhand.")) or not name or "." in name:
        raise ModelFileError(f"{what} names class {path!r}, which is not a byhand class")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ModelFileError(f"{what} names class {path!r}, which this byhand lacks") from exc
    if not isinstance(cls, type) or not issubclass(cls, _allowed_bases()):
        raise ModelFileError(f"{what} names {path!r}, which is not an allowed byhand class")
    return cls


def class_path(cls: type) -> str:
    """``module:qualname`` of a class, the form stored in files."""
    return f"{cls.__module__}:{cls.__qualname__}"


def allowed_estimators() -> dict[str, str]:
    """Class paths that :func:`load` accepts as a model: the registry's estimators and the
    feature maps of :mod:`byhand.preprocessing`, each under its public module."""
    from byhand.estimators_registry import ESTIMATORS, TRANSFORMERS

    return {path: name for name, path in {**ESTIMATORS, **TRANSFORMERS}.items()}


# --------------------------------------------------------------------------- encoding
_TAGS = (
    "__array__",
    "__tuple__",
    "__dict__",
    "__float__",
    "__npscalar__",
    "__dtype__",
    "__pytype__",
    "__generator__",
    "__randomstate__",
    "__object__",
    "__ref__",
    "__schedule__",
    "__objarray__",
)
_PYTYPES: dict[str, type] = {
    "float": float,
    "int": int,
    "bool": bool,
    "str": str,
    "complex": complex,
}


class _Encoder:
    """Turns a value into a JSON tree, collecting its arrays into ``self.arrays``."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.info: dict[str, dict[str, Any]] = {}
        self._seen_arrays: dict[int, str] = {}
        self._seen_objects: dict[int, int] = {}
        self._keep: list[Any] = []  # keeps ids valid while encoding

    def array(self, a: np.ndarray) -> dict[str, Any]:
        """A reference to ``a`` (stored once per object); object arrays of plain values inline."""
        if a.dtype.hasobject:
            flat = a.ravel().tolist()
            if not all(isinstance(v, (str, int, float, bool)) or v is None for v in flat):
                raise TypeError("cannot save an object array holding non-plain values")
            return {"__objarray__": flat, "shape": list(a.shape)}
        key = self._seen_arrays.get(id(a))
        if key is None:
            key = f"a{len(self.arrays)}"
            arr = a if a.flags.c_contiguous else np.array(a, order="C")  # keeps 0-d arrays 0-d
            self.arrays[key] = arr
            self.info[key] = {
                "dtype": arr.dtype.str,
                "shape": list(arr.shape),
                "sha256": hashlib.sha256(arr.tobytes()).hexdigest(),
            }
            self._seen_arrays[id(a)] = key
            self._keep.append(a)
        return {"__array__": key}

    def __call__(self, v: Any) -> Any:
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int) and not isinstance(v, np.integer):
            return v
        if isinstance(v, float) and not isinstance(v, np.floating):
            return v if math.isfinite(v) else {"__float__": repr(v)}
        if isinstance(v, np.ndarray):
            return self.array(v)
        if isinstance(v, np.generic):
            return {"__npscalar__": v.dtype.str, "value": self(v.item())}
        if isinstance(v, np.dtype):
            return {"__dtype__": v.str}
        if isinstance(v, type):
            if issubclass(v, np.generic):
                return {"__dtype__": np.dtype(v).str, "type": True}
            if v in _PYTYPES.values():
                return {"__pytype__": v.__name__}
            raise TypeError(f"cannot save the class {v.__qualname__}")
        if isinstance(v, tuple):
            return {"__tuple__": [self(x) for x in v]}
        if isinstance(v, list):
            return [self(x) for x in v]
        if isinstance(v, dict):
            if all(isinstance(k, str) and not k.startswith("__") for k in v):
                return {k: self(x) for k, x in v.items()}
            return {"__dict__": [[self(k), self(x)] for k, x in v.items()]}
        if isinstance(v, np.random.Generator):
            return {"__generator__": self(v.bit_generator.state)}
        if isinstance(v, np.random.RandomState):
            return {"__randomstate__": self(v.get_state(legacy=False))}
        from byhand.optim.schedules import SCHEDULES, Schedule

        if isinstance(v, Schedule):
            name = next((n for n, c in SCHEDULES.items() if type(v) is c), None)
            if name is None:
                raise TypeError(f"cannot save the schedule {v!r}: not one of {sorted(SCHEDULES)}")
            return {"__schedule__": name, "params": self(v.get_params())}
        return self.obj(v)

    def obj(self, v: Any) -> Any:
        """An allow-listed byhand object as class path + attributes (repeats by reference)."""
        cls = type(v)
        if not (
            cls.__module__ == "byhand" or cls.__module__.startswith("byhand.")
        ) or not isinstance(v, _allowed_bases()):
            raise TypeError(
                f"cannot save an object of type {cls.__module__}.{cls.__qualname__}"
                " (only arrays, plain values and byhand objects)"
            )
        ref = self._seen_objects.get(id(v))
        if ref is not None:
            return {"__ref__": ref}
        self._seen_objects[id(v)] = ref = len(self._seen_objects)
        self._keep.append(v)
        return {"__object__": class_path(cls), "id": ref, "state": self(_object_state(v))}


def _object_state(v: Any) -> dict[str, Any]:
    """The attributes of a byhand object, minus forward caches and scratch buffers."""
    from byhand.nn.losses import Loss
    from byhand.nn.module import Module

    slots = [s for c in type(v).__mro__ for s in getattr(c, "__slots__", ())]
    state = {s: getattr(v, s) for s in slots if hasattr(v, s)}
    if hasattr(v, "__dict__"):
        getstate = getattr(v, "__getstate__", None)
        d = getstate() if callable(getstate) else None
        state.update(d if isinstance(d, dict) else vars(v))
    if isinstance(v, (Module, Loss)):  # forward caches (_x, _out, _p, …) are not state
        state = {
            k: (None if k.startswith("_") and isinstance(x, np.ndarray) else x)
            for k, x in state.items()
        }
    if "_scratch" in state:  # SGD's scratch buffers
        state["_scratch"] = [None] * len(state["_scratch"])
    return state


class _Decoder:
    """The inverse of :class:`_Encoder`; only allow-listed byhand classes are instantiated."""

    def __init__(self, arrays: dict[str, np.ndarray], what: str) -> None:
        self.arrays = arrays
        self.what = what
        self._objects: dict[int, Any] = {}

    def __call__(self, v: Any) -> Any:
        if isinstance(v, list):
            return [self(x) for x in v]
        if not isinstance(v, dict):
            return v
        tag = next((t for t in _TAGS if t in v), None)
        if tag is None:
            return {k: self(x) for k, x in v.items()}
        x = v[tag]
        if tag == "__array__":
            if x not in self.arrays:
                raise ModelFileError(f"{self.what}: the array {x!r} is missing")
            return self.arrays[x]
        if tag == "__objarray__":
            out = np.empty(len(x), dtype=object)
            out[:] = x
            return out.reshape(v["shape"])
        if tag == "__tuple__":
            return tuple(self(e) for e in x)
        if tag == "__dict__":
            return {_hashable(self(k)): self(e) for k, e in x}
        if tag == "__float__":
            if x not in ("nan", "inf", "-inf"):
                raise ModelFileError(f"{self.what}: bad float {x!r}")
            return float(x)
        if tag == "__npscalar__":
            dt = np.dtype(x)
            if dt.hasobject:
                raise ModelFileError(f"{self.what}: object dtypes are not allowed")
            return dt.type(self(v["value"]))
        if tag == "__dtype__":
            dt = np.dtype(x)
            if dt.hasobject:
                raise ModelFileError(f"{self.what}: object dtypes are not allowed")
            return dt.type if v.get("type") else dt
        if tag == "__pytype__":
            if x not in _PYTYPES:
                raise ModelFileError(f"{self.what}: unknown type {x!r}")
            return _PYTYPES[x]
        if tag == "__generator__":
            state = self(x)
            bitgen = {
                "PCG64": np.random.PCG64,
                "PCG64DXSM": np.random.PCG64DXSM,
                "MT19937": np.random.MT19937,
                "Philox": np.random.Philox,
                "SFC64": np.random.SFC64,
            }.get(state.get("bit_generator"))
            if bitgen is None:
                raise ModelFileError(f"{self.what}: unknown bit generator {state!r:.60}")
            g = np.random.Generator(bitgen())
            g.bit_generator.state = state
            return g
        if tag == "__randomstate__":
            rs = np.random.RandomState()
            rs.set_state(self(x))
            return rs
        if tag == "__schedule__":
            from byhand.optim.schedules import SCHEDULES

            if x not in SCHEDULES:
                raise ModelFileError(f"{self.what}: unknown schedule {x!r}")
            return SCHEDULES[x](**self(v.get("params", {})))
        if tag == "__ref__":
            if x not in self._objects:
                raise ModelFileError(f"{self.what}: dangling object reference {x!r}")
            return self._objects[x]
        cls = _import_class(x, self.what)
        obj = cls.__new__(cls)
        self._objects[v.get("id")] = obj
        for name, value in self(v.get("state", {})).items():
            _set_plain(obj, name, value, self.what)
        return obj


def _set_plain(obj: Any, name: str, value: Any, what: str) -> None:
    """Set a saved attribute; names that are properties or methods of the class are refused
    (a file must not trigger a setter)."""
    attr = getattr(type(obj), name, None)
    if (
        not isinstance(name, str)
        or not name.isidentifier()
        or (
            attr is not None
            and not isinstance(attr, types.MemberDescriptorType)
            and (hasattr(attr, "__set__") or callable(attr))
        )
    ):
        raise ModelFileError(f"{what}: {name!r} is not a plain attribute of {type(obj).__name__}")
    object.__setattr__(obj, name, value)


def _hashable(k: Any) -> Any:
    return tuple(k) if isinstance(k, list) else k


def encode(value: Any) -> tuple[Any, dict[str, np.ndarray], dict[str, dict[str, Any]]]:
    """(JSON tree, arrays by member name, array info) for ``value``."""
    enc = _Encoder()
    tree = enc(value)
    return tree, enc.arrays, enc.info


def decode(tree: Any, arrays: dict[str, np.ndarray], what: str = "file") -> Any:
    """The value :func:`encode` was given, rebuilt from its tree and arrays."""
    return _Decoder(arrays, what)(tree)


# --------------------------------------------------------------------------- files
def write_archive(
    path: str | os.PathLike[str], meta: dict[str, Any], arrays: dict[str, np.ndarray]
) -> Path:
    """Write ``metadata.json`` and the arrays as one ``.npz``, atomically.

    The archive is written to a temporary file in the destination folder, flushed and
    fsynced, then renamed over ``path``; on any failure the temporary file is removed.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"{path}: the folder {folder} does not exist")
    text = json.dumps(meta, allow_nan=False, separators=(",", ":")).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
                zf.writestr(META, text)
                for key, arr in arrays.items():
                    with zf.open(f"{key}.npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, arr, allow_pickle=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def read_archive(
    path: str | os.PathLike[str], expected_format: str, max_version: int
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(metadata, arrays) of a byhand archive, every array checked against its SHA-256.

    Raises FileNotFoundError for a missing path and :class:`ModelFileError` for anything
    that is not an intact archive of ``expected_format`` with version <= ``max_version``.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, not a {expected_format} file")
    kind = expected_format.replace("byhand-", "byhand ")

    def bad(problem: str) -> ModelFileError:
        """The error for this file and ``problem``."""
        return ModelFileError(f"{path}: not a readable {kind} file: {problem}")

    with open(path, "rb") as f:
        head = f.read(512)
    if not head.startswith((b"PK", b"\x93NUMPY", b"\x80")):  # zip, .npy, pickle protocol 2+
        text = all(c >= 32 or c in b"\t\n\r" for c in head)  # no control characters
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:  # text cut inside a multi-byte character is text
            text = text and exc.start >= len(head) - 3
        what = "it is empty" if not head else "it is a text file" if text else "it is not an .npz"
        raise bad(f"{what}; a {kind} file is the .npz written by byhand.save or `byhand train`")
    try:
        npz = np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc):
            raise bad(
                "it holds pickled Python objects, which byhand never loads "
                "(loading them could run code)"
            ) from None
        raise bad(str(exc)) from None
    except (EOFError, zipfile.BadZipFile, OSError) as exc:
        raise bad(f"truncated or corrupted ({exc or type(exc).__name__})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise bad("it is a single .npy array, not an .npz archive")
    with npz:
        try:
            if META not in npz.files:
                raise bad(f"it has no {META} entry (a foreign .npz, not written by byhand)")
            meta = json.loads(bytes(npz[META]).decode("utf-8"))
            if not isinstance(meta, dict) or meta.get("format") != expected_format:
                found = meta.get("format") if isinstance(meta, dict) else None
                raise bad(f"its format is {found!r}, expected {expected_format!r}")
            version = meta.get("format_version")
            if not isinstance(version, int) or isinstance(version, bool):
                raise bad(f"bad format version {version!r}")
            if version > max_version:
                raise bad(
                    f"it was written by a newer byhand ({meta.get('byhand_version')}, "
                    f"format version {version}); this byhand "
                    f"reads format versions <= {max_version}: upgrade byhand"
                )
            info = meta.get("arrays", {})
            arrays = {}
            for key, spec in info.items():
                if f"{key}" not in npz.files:
                    raise bad(f"the array {key!r} is missing (truncated or corrupted)")
                arr = npz[key]
                if (
                    arr.dtype.str != spec["dtype"]
                    or list(arr.shape) != spec["shape"]
                    or hashlib.sha256(arr.tobytes()).hexdigest() != spec["sha256"]
                ):
                    raise bad(f"the array {key!r} does not match its checksum (corrupted)")
                arrays[key] = arr
        except ModelFileError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise bad(f"truncated or corrupted ({exc})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise bad(f"its {META} is corrupted ({exc})") from None
        except Exception as exc:  # any other failure of a damaged archive
            raise bad(f"corrupted ({type(exc).__name__}: {exc})") from None
    return meta, arrays


def _guarded(what: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except ModelFileError:
        raise
    except Exception as exc:
        raise ModelFileError(f"{what}: corrupted content ({type(exc).__name__}: {exc})") from None


# --------------------------------------------------------------------------- models
def _version() -> str:
    from byhand import __version__

    return __version__


def save(model: Any, path: str | os.PathLike[str]) -> Path:
    """Save a byhand estimator to ``path`` (one ``.npz``: arrays + JSON metadata, no pickle).

    Raises TypeError for an object that is not an allow-listed byhand estimator, ValueError
    when ``path`` does not end in ``.npz`` (the file is a zip of ``.npy`` arrays; another suffix
    would hide what it is) and FileNotFoundError when the folder of ``path`` does not exist.
    Returns the path written.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from byhand import LinearRegression, load, save
    >>> X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 3.0, 1.0])
    >>> model = LinearRegression().fit(X, y)
    >>> path = save(model, os.path.join(tempfile.mkdtemp(), "model.npz"))
    >>> path.name
    'model.npz'
    >>> save(model, "model.pkl")
    Traceback (most recent call last):
    ...
    ValueError: ...
    """
    if Path(path).suffix.lower() != ".npz":
        raise ValueError(f"save writes an .npz file: give a path ending in .npz, got {str(path)!r}")
    cls = type(model)
    cpath = class_path(cls)
    allowed = allowed_estimators()
    if cpath not in allowed:
        # accept the public path too (e.g. byhand.linear_model:Perceptron)
        cpath = next((p for p in allowed if _import_public(p) is cls), None)
        if cpath is None:
            raise TypeError(
                f"save takes a byhand estimator ({', '.join(sorted(allowed.values()))})"
                f", got {cls.__module__}.{cls.__qualname__}"
            )
    params = model.get_params(deep=False)
    state = {k: v for k, v in vars(model).items() if k not in params}
    enc = _Encoder()
    tree_params = enc(params)
    tree_state = enc(state)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "byhand_version": _version(),
        "numpy_version": np.__version__,
        "class": cpath,
        "estimator": allowed[cpath],
        "params": tree_params,
        "n_features_in_": int(model.n_features_in_) if hasattr(model, "n_features_in_") else None,
        "classes_": np.asarray(model.classes_).tolist() if hasattr(model, "classes_") else None,
        "attributes": tree_state,
        "summary": {k: _describe(v) for k, v in state.items()},
        "arrays": enc.info,
    }
    return write_archive(path, meta, enc.arrays)


def _describe(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"ndarray {v.dtype} {tuple(v.shape)}"
    if isinstance(v, (list, tuple)) and v and all(isinstance(a, np.ndarray) for a in v):
        return f"{type(v).__name__} of {len(v)} ndarrays " + ", ".join(
            f"{a.dtype} {tuple(a.shape)}" for a in v
        )
    return type(v).__name__


def _import_public(cpath: str) -> Any:
    module, _, name = cpath.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def load(path: str | os.PathLike[str]) -> Any:
    """Load an estimator written by :func:`save`; its predictions equal the saved one's.

    Raises FileNotFoundError (missing path) or :class:`ModelFileError` (a ``ValueError``:
    truncated, corrupted, foreign, pickled or newer-format file), naming the file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from byhand import LinearRegression, load, save
    >>> X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 3.0, 1.0])
    >>> model = LinearRegression().fit(X, y)
    >>> again = load(save(model, os.path.join(tempfile.mkdtemp(), "model.npz")))
    >>> type(again).__name__, bool(np.array_equal(again.predict(X), model.predict(X)))
    ('LinearRegression', True)
    """
    meta, arrays = read_archive(path, FORMAT, FORMAT_VERSION)
    what = str(path)
    cpath = meta.get("class")
    allowed = allowed_estimators()
    if cpath not in allowed:
        raise ModelFileError(
            f"{what}: the class {cpath!r} is not a byhand estimator "
            f"(allowed: {', '.join(sorted(allowed.values()))})"
        )
    cls = _import_public(cpath)
    if cls is None:
        raise ModelFileError(f"{what}: this byhand has no {cpath!r}")

    def build() -> Any:
        """Rebuild the estimator: ``cls(**params)``, then the saved attributes."""
        dec = _Decoder(arrays, what)
        params = dec(meta["params"])
        model = cls(**params)
        for name, value in dec(meta["attributes"]).items():
            _set_plain(model, name, value, what)
        return model

    return _guarded(what, build)


def describe(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The metadata of a model file (checked like :func:`load`), without building the model."""
    meta, _ = read_archive(path, FORMAT, FORMAT_VERSION)
    return meta
