"""Model files: every registered estimator round-trips; damaged or hostile files fail clearly.

Oracles: the model before saving (identical predictions), and side effects that a file must
never cause (a marker file a pickle would create, a module it would import).
"""

from __future__ import annotations

import json
import pickle
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import byhand
from byhand import io as bio
from byhand.estimators_registry import ESTIMATORS, REGRESSORS, get_class

BINARY = {"perceptron", "logistic-regression", "linear-svm"}


def _data(name: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    if name in REGRESSORS:
        X = rng.standard_normal((60, 3))
        return X, X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(60) + 3.0
    if name in BINARY:
        X = rng.standard_normal((60, 2))
        return X, np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "yes", "no")  # string labels
    X = np.vstack([rng.standard_normal((20, 2)) + c for c in ((0, 3), (3, 0), (-3, -3))])
    return X, np.repeat([4, 7, 9], 20)  # labels that are not 0..K-1


def _fitted(name: str):
    cls = get_class(name)
    params = {}
    defaults = cls().get_params()
    if "max_iter" in defaults:
        params["max_iter"] = 30
    if "random_state" in defaults:
        params["random_state"] = 0
    if "hidden_layer_sizes" in defaults:  # and a schedule object as a parameter
        from byhand.optim import exponential

        params.update(hidden_layer_sizes=(5, 4), learning_rate=exponential(0.05, 0.99))
    X, y = _data(name)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(**params).fit(X, y), X


def _outputs(model, X) -> dict[str, np.ndarray]:
    out = {"predict": np.asarray(model.predict(X))}
    for method in ("decision_function", "predict_proba"):
        if hasattr(model, method):
            try:
                out[method] = np.asarray(getattr(model, method)(X))
            except (AttributeError, NotImplementedError):
                pass
    return out


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_every_estimator_round_trips(name, tmp_path):
    model, X = _fitted(name)
    path = byhand.save(model, tmp_path / f"{name}.npz")
    loaded = byhand.load(path)
    assert type(loaded) is type(model)
    assert repr(loaded.get_params()) == repr(model.get_params())
    before, after = _outputs(model, X), _outputs(loaded, X)
    assert before.keys() == after.keys()
    for k in before:
        assert before[k].dtype == after[k].dtype, k
        np.testing.assert_array_equal(after[k], before[k], err_msg=k)
    for attr in ("classes_", "n_features_in_", "coef_", "intercept_"):
        if hasattr(model, attr):
            np.testing.assert_array_equal(getattr(loaded, attr), getattr(model, attr))
    meta = bio.describe(path)
    assert meta["class"] == ESTIMATORS[name] and meta["estimator"] == name
    assert meta["format_version"] == bio.FORMAT_VERSION
    assert meta["n_features_in_"] == X.shape[1]


def test_a_loaded_model_trains_on_and_keeps_shared_objects():
    """Objects shared inside a model (a parameter held by a net and its optimizer) stay
    shared after decoding; schedules and generators come back equal."""
    from byhand import nn
    from byhand.optim import SGD, exponential

    net = nn.Sequential(nn.Linear(3, 4, random_state=0), nn.Tanh(), nn.Linear(4, 1))
    opt = SGD(net.parameters(), lr=exponential(0.1, 0.9), momentum=0.5)
    net.forward(np.ones((2, 3), dtype=np.float32))  # leaves forward caches behind
    value = {
        "net": net,
        "opt": opt,
        "rng": np.random.default_rng(3),
        "t": (1, 2.5, None),
        "nan": float("nan"),
        "k": {1: "a"},
        "dtype": np.float32,
        "s": np.float32(0.1),
    }
    tree, arrays, _ = bio.encode(value)
    json.dumps(tree, allow_nan=False)  # strict JSON
    back = bio.decode(tree, arrays)
    assert back["opt"].params[0] is back["net"].parameters()[0]
    assert back["opt"].lr == opt.lr
    assert back["rng"].random() == np.random.default_rng(3).random()
    assert back["t"] == (1, 2.5, None) and np.isnan(back["nan"]) and back["k"] == {1: "a"}
    assert back["dtype"] is np.float32 and back["s"] == np.float32(0.1)
    assert back["net"].modules[1]._out is None  # caches are not saved
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(back["net"].forward(x), net.forward(x))


@pytest.fixture
def model_file(tmp_path):
    model, X = _fitted("lda") if "lda" in ESTIMATORS else _fitted("perceptron")
    return byhand.save(model, tmp_path / "model.npz"), model, X


def _assert_clear_error(path, *words):
    with pytest.raises(ValueError) as info:
        byhand.load(path)
    msg = str(info.value)
    assert str(path) in msg, msg
    for w in words:
        assert w in msg, msg
    return msg


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        byhand.load(tmp_path / "nope.npz")


@pytest.mark.parametrize("keep", [0, 1, 10, 100, 0.5, 0.9, -1])
def test_truncated_file(model_file, keep):
    path, _, _ = model_file
    data = path.read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else (keep % len(data))
    path.write_bytes(data[:n])
    _assert_clear_error(path, "not a readable byhand model file")


def test_flipped_byte_in_every_member_is_detected(model_file):
    path, _, _ = model_file
    original = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        members = [(i.filename, i.header_offset, i.compress_size) for i in zf.infolist()]
    assert any(name == "metadata.json" for name, _, _ in members)
    for _name, offset, size in members:
        local = original[offset : offset + 30]
        start = (
            offset
            + 30
            + int.from_bytes(local[26:28], "little")
            + int.from_bytes(local[28:30], "little")
        )
        for pos in (start, start + size // 2, start + size - 1):
            data = bytearray(original)
            data[pos] ^= 0x5A
            path.write_bytes(bytes(data))
            _assert_clear_error(path, "not a readable byhand model file")


def test_random_byte_flips_never_give_a_different_model(model_file):
    """Anywhere in the file, a flipped byte gives the clear error or the very same model."""
    path, model, X = model_file
    original = path.read_bytes()
    expected = model.predict(X)
    positions = np.unique(np.linspace(0, len(original) - 1, 150).astype(int))
    errors = 0
    for pos in positions:
        data = bytearray(original)
        data[pos] ^= 0xFF
        path.write_bytes(bytes(data))
        try:
            loaded = byhand.load(path)
        except ValueError as exc:
            assert str(path) in str(exc)
            errors += 1
            continue
        np.testing.assert_array_equal(loaded.predict(X), expected)
    assert errors > len(positions) // 2  # nearly every byte is covered by a check


class _Boom:
    """Unpickling this creates the marker file: the proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_pickle_renamed_npz_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(_Boom(marker)))
    _assert_clear_error(path, "pickle")
    assert not marker.exists()


def test_an_object_array_inside_the_archive_runs_nothing(model_file, tmp_path):
    path, _, _ = model_file
    marker = tmp_path / "pwned"
    meta, arrays = bio.read_archive(path, bio.FORMAT, bio.FORMAT_VERSION)
    obj = np.empty(1, dtype=object)
    obj[0] = _Boom(marker)
    key = next(iter(arrays))
    with zipfile.ZipFile(path, "w") as zf:  # a hand-made archive with a pickled member
        zf.writestr("metadata.json", json.dumps(meta))
        for k, a in arrays.items():
            with zf.open(f"{k}.npy", "w") as f:
                np.lib.format.write_array(f, obj if k == key else a, allow_pickle=True)
    _assert_clear_error(path, "not a readable byhand model file")
    assert not marker.exists()


def _rewrite_meta(path: Path, change) -> None:
    meta, arrays = bio.read_archive(path, bio.FORMAT, bio.FORMAT_VERSION)
    change(meta)
    bio.write_archive(path, meta, arrays)


def test_foreign_npz(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, X=np.ones((3, 2)), y=np.zeros(3))
    _assert_clear_error(path, "no metadata.json", "foreign")
    np.save(tmp_path / "single.npy", np.ones(3))
    (tmp_path / "single.npy").rename(tmp_path / "single.npz")
    _assert_clear_error(tmp_path / "single.npz", "single .npy array")


def test_newer_format(model_file):
    path, _, _ = model_file
    _rewrite_meta(path, lambda m: m.update(format_version=bio.FORMAT_VERSION + 1))
    _assert_clear_error(path, "newer byhand", "upgrade")


def test_a_checkpoint_is_not_a_model(model_file):
    path, _, _ = model_file
    _rewrite_meta(path, lambda m: m.update(format="byhand-checkpoint"))
    _assert_clear_error(path, "format is 'byhand-checkpoint'")


@pytest.mark.parametrize(
    "cls",
    ["os:system", "builtins:eval", "subprocess:Popen", "byhand.io:ModelFileError", "numpy:ndarray"],
)
def test_classes_outside_the_allow_list_are_refused(model_file, cls):
    path, _, _ = model_file
    _rewrite_meta(path, lambda m: m.update({"class": cls}))
    _assert_clear_error(path, "not a byhand estimator")


@pytest.mark.parametrize(
    "cls",
    [
        "os:system",
        "subprocess:Popen",
        "byhand.io:ModelFileError",
        "sklearn.linear_model:LinearRegression",
    ],
)
def test_nested_objects_outside_the_allow_list_are_refused(model_file, cls):
    path, _, _ = model_file
    mod = cls.partition(":")[0]
    was_loaded = mod in sys.modules

    def plant(meta):
        meta["attributes"]["evil"] = {"__object__": cls, "id": 99, "state": {}}

    _rewrite_meta(path, plant)
    _assert_clear_error(path, cls)
    if not was_loaded:
        assert mod not in sys.modules


def test_write_is_atomic(model_file, monkeypatch):
    """A failure while writing leaves the old file intact and no temporary file behind."""
    path, model, _X = model_file
    before = path.read_bytes()
    calls = {"n": 0}
    real = np.lib.format.write_array

    def failing(*a, **k):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(*a, **k)

    monkeypatch.setattr(np.lib.format, "write_array", failing)
    with pytest.raises(OSError, match="disk full"):
        byhand.save(model, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["model.npz"]


def test_save_refuses_what_it_cannot_load(tmp_path):
    from sklearn.linear_model import LinearRegression

    with pytest.raises(TypeError, match="byhand estimator"):
        byhand.save(LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]), tmp_path / "m.npz")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        byhand.save(_fitted("perceptron")[0], tmp_path / "missing" / "m.npz")


@pytest.mark.parametrize("name", ["predict", "fit", "__class__", "not an identifier"])
def test_attributes_that_would_replace_methods_are_refused(model_file, name):
    path, _, _ = model_file
    _rewrite_meta(path, lambda m: m["attributes"].update({name: 1}))
    _assert_clear_error(path, "not a plain attribute")


def test_a_property_of_a_nested_object_is_not_set(tmp_path):
    from byhand.nn import Parameter

    tree, arrays, _ = bio.encode(Parameter(np.zeros(2)))
    tree["state"]["grad"] = [1.0, 2.0]  # Parameter.grad is a property with a setter
    with pytest.raises(ValueError, match="not a plain attribute of Parameter"):
        bio._guarded("f", lambda: bio.decode(tree, arrays, "f"))


def _values():
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    arrays = hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64, np.int64, np.bool_, np.uint8]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
    )
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=5),
        arrays,
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.tuples(inner, inner),
            st.dictionaries(st.text(max_size=4), inner, max_size=3),
            st.dictionaries(st.integers(), inner, max_size=2),
        ),
        max_leaves=12,
    )


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        )
    if isinstance(a, float):
        return isinstance(b, float) and (a == b or (np.isnan(a) and np.isnan(b)))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def test_encode_decode_round_trips_any_plain_value():
    from hypothesis import given, settings

    @settings(max_examples=150, deadline=None)
    @given(_values())
    def check(value):
        tree, arrays, _ = bio.encode(value)
        tree = json.loads(json.dumps(tree, allow_nan=False))  # through strict JSON text
        assert _same(value, bio.decode(tree, arrays))

    check()
