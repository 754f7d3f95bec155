"""Input checks shared by byhand's estimators (the edges where data enters).

Where each input is checked: docs/architecture.md, "Where inputs are checked" (on the
documentation site, How byhand works › byhand — architecture).

Thin layers over scikit-learn's ``validate_data`` / ``check_is_fitted`` /
``check_classification_targets`` so that every estimator reports bad input the same way:
a ``ValueError`` (or ``TypeError``) naming what was expected and what came.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    check_is_fitted,
    validate_data,
)

__all__ = [
    "all_or_nothing",
    "check_finite_features",
    "check_finite_sumsq",
    "check_one_output",
    "check_param",
    "check_warm_start",
    "encode_binary_labels",
    "encode_class_labels",
    "one_blas_thread",
    "raise_non_finite_at",
    "validate_X",
    "validate_X_predict",
    "validate_X_y_classifier",
]


def check_finite_sumsq(
    X: np.ndarray, name: str = "X", *, sumsq: float | None = None, estimator: Any = None
) -> float:
    """Return ``sum(X**2)`` after checking that ``X`` holds no NaN or inf.

    One BLAS dot product over the data both checks finiteness (a NaN or inf makes the sum
    non-finite) and gives ``‖X‖_F²``, which bounds every row norm. Only when the sum is
    not finite is the slower element-wise scan run, to raise a ValueError naming the first
    NaN/inf (its feature and sample, as :func:`check_finite_features`; scikit-learn's usual
    message without ``estimator``), or to find that the sum merely overflowed: then ``inf``
    is returned. ``sumsq``: that dot product when the caller already computed it.
    """
    if sumsq is None:
        flat = np.ravel(X)
        sumsq = float(np.dot(flat, flat))
    if not np.isfinite(sumsq):
        if estimator is not None:
            _raise_first_non_finite(estimator, X, name)
        assert_all_finite(X, input_name=name)  # raises "Input X contains NaN/infinity"
        return float("inf")
    return float(sumsq)


def _raise_first_non_finite(estimator: Any, X: np.ndarray, name: str = "X") -> None:
    """ValueError naming the first NaN/inf of the 2-D array X (none: return)."""
    bad = np.argwhere(~np.isfinite(X))
    if bad.size:
        i, j = (int(v) for v in bad[0][:2])
        raise_non_finite_at(estimator, i, j, float(X[i, j]), name)


def raise_non_finite_at(estimator: Any, i: int, j: int, value: float, name: str = "X") -> None:
    """The ValueError for the NaN/inf ``value`` in feature j of sample i of ``name``."""
    kind = "NaN" if value != value else ("inf" if value > 0 else "-inf")
    names = getattr(estimator, "feature_names_in_", None)
    feature = f"feature {j}" + (f" ({names[j]!r})" if names is not None else "")
    hint = (
        "impute or drop missing values first, e.g. sklearn.impute.SimpleImputer"
        if kind == "NaN"
        else "replace or clip infinite values first"
    )
    raise ValueError(
        f"{type(estimator).__name__}: {name} contains {kind} in {feature} of sample {i}; "
        f"it needs finite values ({hint})."
    )


def check_finite_features(estimator: Any, X: np.ndarray, name: str = "X") -> np.ndarray:
    """Return the validated 2-D float array X after checking it holds no NaN or inf.

    One pass (a sum: finite only if every entry is) in the common case; otherwise the
    ValueError names the estimator, the feature and the sample of the first NaN/inf
    ("LogisticRegression: X contains NaN in feature 2 of sample 7"), the wording of the
    network estimators, rather than scikit-learn's "Input X contains NaN".
    """
    if X.dtype.kind in "fc" and X.size:
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(X, axis=None)
        if not np.isfinite(total):  # a NaN/inf, or only a sum that overflowed
            _raise_first_non_finite(estimator, X.reshape(X.shape[0], -1), name)
    return X


def check_warm_start(
    estimator: Any, classes: np.ndarray | None, n_features: int, n_outputs: int | None = None
) -> bool:
    """Whether ``fit`` continues from the fitted coefficients (``warm_start=True`` and a
    previous fit); then the new data must match that fit, scikit-learn's rule.

    ``classes`` (``np.unique(y)``, None for a regressor) must equal ``classes_``, the number
    of features the fitted ``coef_``'s last axis and ``n_outputs`` (a regressor's targets)
    its rows. Raises ValueError naming the previous and the new values otherwise: a warm
    start on renamed labels would reuse each old class's weights for another class.
    """
    if not getattr(estimator, "warm_start", False) or not hasattr(estimator, "coef_"):
        return False
    name = type(estimator).__name__
    old = getattr(estimator, "classes_", None)
    if classes is not None and old is not None:
        same = len(old) == len(classes) and bool(np.all(np.asarray(old) == np.asarray(classes)))
        if not same:
            raise ValueError(
                f"{name}(warm_start=True): warm_start can only be used where y has the same "
                f"classes as in the previous call to fit. Previously got {_show(old)}, y has "
                f"{_show(classes)}. Use warm_start=False (or a new estimator) for other labels."
            )
    coef = np.atleast_2d(np.asarray(estimator.coef_))
    if coef.shape[-1] != n_features:
        raise ValueError(
            f"{name}(warm_start=True) continues a fit on {coef.shape[-1]} features; X has "
            f"{n_features}. Use warm_start=False (or a new estimator) for other features."
        )
    if n_outputs is not None and coef.shape[0] != n_outputs:
        raise ValueError(
            f"{name}(warm_start=True) continues a fit on {coef.shape[0]} target(s); y has "
            f"{n_outputs}. Use warm_start=False (or a new estimator) for other targets."
        )
    return True


def _show(labels: Any) -> str:
    labels = np.asarray(labels).tolist()
    return f"{labels[:10]}{' …' if len(labels) > 10 else ''}"


@contextlib.contextmanager
def all_or_nothing(estimator: Any) -> Iterator[None]:
    """If the block raises, put every attribute of ``estimator`` back as it was (a refused
    warm start or bad input leaves the fitted model usable as before the call)."""
    before = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(before)
        raise


def validate_X_y_classifier(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    reset: bool = True,
    dtype: Any = np.float64,
    **check_params: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Validate training data of a classifier: 2-D finite float ``X``, 1-D discrete ``y``.

    Sets ``n_features_in_`` (and ``feature_names_in_``) on the estimator. ``y`` must have
    as many entries as ``X`` has rows and must be class labels (binary or multiclass),
    not a continuous target. ``check_params`` go to scikit-learn's ``check_X_y``
    (e.g. ``ensure_all_finite=False`` when the caller checks with :func:`check_finite_sumsq`).

    Data that needs no conversion and no finiteness scan (a C-contiguous ``X`` of ``dtype``
    with ``ensure_all_finite=False``, a 1-D numeric ``y`` of integer values) takes a short
    path with the same outcome, without scikit-learn's generic conversions and target-type
    inference (a fraction of a millisecond, which counts for one perceptron epoch).
    """
    if not check_params.get("multi_output"):
        check_one_output(estimator, y)
    if check_params == {"ensure_all_finite": False} and _plain_X_y(X, y, dtype):
        if reset:  # an ndarray has no feature names: scikit-learn's check just drops them
            estimator.__dict__.pop("feature_names_in_", None)
        else:
            _check_feature_names(estimator, X, reset=False)
        _check_n_features(estimator, X, reset=reset)
        return X, y
    scan = "ensure_all_finite" not in check_params
    check_params.setdefault("ensure_all_finite", False)
    X, y = validate_data(estimator, X, y, reset=reset, dtype=dtype, order="C", **check_params)
    if scan:
        check_finite_features(estimator, X)
    check_classification_targets(y)
    return X, y


def check_one_output(estimator: Any, y: Any) -> None:
    """Refuse a y of several columns for an estimator of one output, saying what takes
    them (scikit-learn's own refusal reads "y should be a 1d array"). A column vector
    (n, 1) is left to scikit-learn (a DataConversionWarning, then used as (n,))."""
    shape = getattr(y, "shape", None)
    if shape is None and isinstance(y, (list, tuple)):
        try:
            shape = np.shape(y)
        except ValueError:  # ragged: scikit-learn's conversion says so
            shape = None
    if shape is None:
        return
    if (len(shape) == 2 and shape[1] > 1) or len(shape) > 2:
        raise ValueError(
            f"{type(estimator).__name__} takes one target per sample, y of shape "
            f"(n_samples,); got y of shape {shape}. For several outputs per sample use "
            "byhand.neighbors.KNeighborsClassifier (a vote per output) or "
            "byhand.linear_model.LinearRegression (real targets), or wrap this estimator "
            "in sklearn.multioutput.MultiOutputClassifier / MultiOutputRegressor."
        )


def _plain_X_y(X: Any, y: Any, dtype: Any) -> bool:
    """True when ``validate_data`` + ``check_classification_targets`` would return X and y
    as they are: X a C-contiguous non-empty 2-D ndarray of ``dtype``, y a 1-D ndarray of
    as many integers (or integer-valued finite floats: the class labels scikit-learn calls
    binary / multiclass)."""
    if type(X) is not np.ndarray or type(y) is not np.ndarray or not isinstance(dtype, type):
        return False
    if X.dtype != dtype or X.ndim != 2 or not X.flags.c_contiguous or min(X.shape) < 1:
        return False
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        return False
    if y.dtype.kind in "iub":
        return True
    if y.dtype.kind == "f":  # scikit-learn's test for a continuous target, after finiteness
        return bool(np.isfinite(y).all()) and not np.any(y != y.astype(int))
    return False


#: The multiclass estimator to use where a binary one is given more than two classes.
MULTICLASS_COUNTERPART = {
    "LogisticRegression": "byhand.SoftmaxRegression (its K-class generalisation)",
    "Perceptron": "byhand.MulticlassPerceptron",
}
_ANY_MULTICLASS = (
    "byhand.SoftmaxRegression or byhand.MulticlassPerceptron, or wrap this estimator in "
    "sklearn.multiclass.OneVsRestClassifier"
)


def name_init_after(cls: type) -> None:
    """Make an ``__init__`` inherited from a private base name ``cls`` in its TypeErrors.

    ``MLPClassifier(hiden_layer_sizes=3)`` then says ``MLPClassifier.__init__() got an
    unexpected keyword argument`` instead of naming the private base. Call it from the
    base's ``__init_subclass__``.
    """
    import types

    init = cls.__init__
    if "__init__" in vars(cls) or not hasattr(init, "__code__"):
        return
    code = init.__code__
    if hasattr(code, "co_qualname"):  # Python >= 3.11 names the function by co_qualname
        code = code.replace(co_qualname=f"{cls.__qualname__}.__init__")
    own = types.FunctionType(
        code, init.__globals__, "__init__", init.__defaults__, init.__closure__
    )
    own.__kwdefaults__ = init.__kwdefaults__
    own.__annotations__ = init.__annotations__
    own.__doc__ = init.__doc__
    own.__qualname__ = f"{cls.__qualname__}.__init__"
    own.__module__ = cls.__module__
    cls.__init__ = own


def encode_binary_labels(estimator: Any, y: np.ndarray) -> np.ndarray:
    """Map any two labels to ±1 (float64); set ``estimator.classes_`` (sorted).

    ``classes_[0]`` becomes −1 and ``classes_[1]`` becomes +1, scikit-learn's convention
    (a positive decision function predicts ``classes_[1]``).
    """
    classes, y_idx = _two_numeric_labels(y), None
    if classes is None:
        classes, y_idx = np.unique(y, return_inverse=True)
    name = type(estimator).__name__
    if classes.size < 2:
        raise ValueError(
            f"{name} needs samples of 2 classes to train; got only one class: {classes!r}."
        )
    if classes.size > 2:
        raise ValueError(
            f"Only binary classification is supported. {name} expected 2 classes in y, "
            f"got {classes.size} "
            f"({classes[:10]!r}{'...' if classes.size > 10 else ''}). "
            f"For {classes.size} classes use {MULTICLASS_COUNTERPART.get(name, _ANY_MULTICLASS)}."
        )
    estimator.classes_ = classes
    positive = y == classes[1] if y_idx is None else y_idx == 1
    return positive * 2.0 - 1.0  # ±1.0 (cheaper than np.where with scalars)


def _two_numeric_labels(y: Any) -> np.ndarray | None:
    """``np.unique(y)`` for a numeric array holding exactly two distinct values, by min/max
    and one comparison (no sort); None otherwise (then ``np.unique`` does the work)."""
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "iuf" or y.size == 0:
        return None
    lo, hi = y.min(), y.max()
    if not lo < hi or not np.all((y == lo) | (y == hi)):  # one class, NaN, or more than two
        return None
    return np.array([lo, hi], dtype=y.dtype)


def encode_class_labels(estimator: Any, y: np.ndarray, *, min_classes: int = 2) -> np.ndarray:
    """Map labels to indices 0..K−1 (int64, by sorted label); set ``estimator.classes_``."""
    classes, y_idx = np.unique(y, return_inverse=True)
    if classes.size < min_classes:
        raise ValueError(
            f"{type(estimator).__name__} needs samples of at least {min_classes} classes "
            f"to train; got {classes.size} class(es): {classes!r}."
        )
    estimator.classes_ = classes
    return y_idx.astype(np.int64, copy=False)


def validate_X_predict(estimator: Any, X: Any, *, dtype: Any = np.float64) -> np.ndarray:
    """Check the estimator is fitted and ``X`` matches the training features (finite, 2-D;
    a NaN/inf is named by feature and sample, :func:`check_finite_features`)."""
    check_is_fitted(estimator)
    X = validate_data(estimator, X, reset=False, dtype=dtype, order="C", ensure_all_finite=False)
    return check_finite_features(estimator, X)


def validate_X(
    estimator: Any,
    X: Any,
    y: Any = "no_validation",
    *,
    reset: bool,
    dtype: Any = np.float64,
    **kw: Any,
) -> Any:
    """``validate_data`` (C order, ``dtype``) with NaN/inf in X named by feature and sample
    (:func:`check_finite_features`); returns X, or (X, y) when y is given (y=None then
    raises scikit-learn's "requires y to be passed")."""
    if not kw.get("multi_output"):
        check_one_output(estimator, y)
    if isinstance(y, str) and y == "no_validation":
        X = validate_data(
            estimator, X, reset=reset, dtype=dtype, order="C", ensure_all_finite=False, **kw
        )
        return check_finite_features(estimator, X)
    X, y = validate_data(
        estimator, X, y, reset=reset, dtype=dtype, order="C", ensure_all_finite=False, **kw
    )
    return check_finite_features(estimator, X), y


def check_param(
    estimator: Any,
    name: str,
    kind: type | tuple[type, ...],
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    allow_none: bool = False,
) -> None:
    """Validate the hyper-parameter ``estimator.<name>`` (type and range), in ``fit``.

    ``kind`` is ``numbers.Integral`` or ``numbers.Real`` (booleans are refused for both).
    Raises ``TypeError`` for a wrong type, ``ValueError`` for a value out of range.
    """
    value = getattr(estimator, name)
    owner = type(estimator).__name__
    if value is None:
        if allow_none:
            return
        raise TypeError(f"{owner}: {name} must not be None.")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        expected = "an integer" if kind is numbers.Integral else "a real number"
        raise TypeError(f"{owner}: {name} must be {expected}, got {value!r}.")
    if isinstance(value, numbers.Real) and not np.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}.")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        op = ">=" if low_inclusive else ">"
        raise ValueError(f"{owner}: {name} must be {op} {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{owner}: {name} must be <= {high}, got {value!r}.")


_THREADPOOLS: list[Any] = []


def blas_threads(n: int) -> Any:
    """A context manager limiting BLAS alone to ``n`` threads (threadpoolctl)."""
    if not _THREADPOOLS:
        from threadpoolctl import ThreadpoolController

        _THREADPOOLS.append(ThreadpoolController())
    return _THREADPOOLS[0].limit(limits=n, user_api="blas")


def check_n_jobs(owner: str, n_jobs: Any) -> None:
    """Refuse an ``n_jobs`` scikit-learn would refuse: 0, a bool or a non-integer."""
    bad = isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, numbers.Integral)
    if n_jobs is not None and (bad or n_jobs == 0):
        raise ValueError(f"{owner}: n_jobs must be None or a non-zero integer, got {n_jobs!r}")


@contextlib.contextmanager
def limit_threads(n_jobs: int | None) -> Iterator[None]:
    """A context manager running BLAS and byhand's parallel compiled loops on
    ``joblib.effective_n_jobs(n_jobs)`` threads (scikit-learn's ``n_jobs``: None → 1,
    −1 → every core, −2 → all but one). Raises ValueError for 0 or a non-integer."""
    check_n_jobs("n_jobs", n_jobs)
    from joblib import effective_n_jobs

    from byhand.kernels import threads

    n = effective_n_jobs(n_jobs)
    with blas_threads(n), threads(n):
        yield


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """A context manager limiting BLAS (threadpoolctl, controller cached) and byhand's
    parallel compiled loops (:func:`byhand.kernels.threads`) to one thread.

    For the estimators' inherently sequential scans (the perceptrons: small, memory-bound
    products where waking a second BLAS thread per block costs more than it brings, ten
    times more on a busy 2-core machine) and for code that runs its own worker threads
    (k-NN chunks), where nested BLAS threads would oversubscribe the cores.
    """
    from byhand.kernels import threads

    with blas_threads(1), threads(1):
        yield
