"""New Galerne Course I experiments (112–119) in quick mode: claims pass, citations are real,
and the claims fail when the component under test is broken."""

from __future__ import annotations

import numpy as np
import pytest

from _experiments import check_claims_pass_and_cite, verdicts
from byhand.experiments import get

NAMES = [
    "xor-network",
    "train-validation-test",
    "perceptron-criterion",
    "relu-vs-sigmoid",
    "regression-conditional-mean",
    "multiclass-mlp-softmax",
    "boundaries-without-bias",
    "non-convexity",
]


@pytest.mark.parametrize("name", NAMES)
def test_claims_pass_and_cite_the_transcripts(name: str, request) -> None:
    # the transcripts fixture skips here without them
    check_claims_pass_and_cite(name, request.getfixturevalue("transcripts"), "galerne-1")


def test_xor_network_fails_with_other_weights(monkeypatch) -> None:
    from byhand.experiments.galerne import xor_network as mod

    monkeypatch.setattr(mod, "W1", np.array([[1.0, -1.0], [1.0, 1.0]]))
    assert verdicts("xor-network") == ["failed", "failed"]


def test_validation_claim_fails_on_noiseless_data(monkeypatch) -> None:
    """Without label noise K = 1 is as good as any: nothing to gain from validation."""
    from byhand import datasets

    real = datasets.make_moons
    monkeypatch.setattr(
        datasets,
        "make_moons",
        lambda n, noise, random_state=None, **k: real(n, 0.0, random_state, **k),
    )
    assert verdicts("train-validation-test") == ["failed"]


def test_perceptron_criterion_fails_with_a_wrong_step(monkeypatch) -> None:
    from byhand.experiments.galerne import perceptron_criterion as mod

    real = mod.literal_perceptron
    monkeypatch.setattr(mod, "literal_perceptron", lambda w, X, d, g, e: real(w, X, d, 2 * g, e))
    assert verdicts("perceptron-criterion")[0] == "failed"


def test_relu_claims_fail_when_sigmoid_is_relu(monkeypatch) -> None:
    from byhand import nn

    monkeypatch.setattr(nn, "Sigmoid", nn.ReLU)
    v = verdicts("relu-vs-sigmoid")
    assert v[0] == "failed" and v[1] == "failed"


def test_conditional_mean_claim_fails_for_a_median_estimate(monkeypatch) -> None:
    from byhand.neural_network import MLPRegressor

    real = MLPRegressor.predict
    shift = 0.5 - 0.5 * np.log(2)  # mean − median of the noise
    monkeypatch.setattr(MLPRegressor, "predict", lambda self, X: real(self, X) - shift)
    assert verdicts("regression-conditional-mean") == ["failed"]


def test_posterior_claim_fails_for_uniform_outputs(monkeypatch) -> None:
    from byhand.neural_network import MLPClassifier

    monkeypatch.setattr(MLPClassifier, "predict_proba", lambda self, X: np.full((len(X), 3), 1 / 3))
    assert verdicts("multiclass-mlp-softmax") == ["failed"]


def test_cone_claim_fails_when_the_bias_is_kept(monkeypatch) -> None:
    from byhand.linear_model import SoftmaxRegression

    real = SoftmaxRegression.__init__

    def keep_bias(self, *a, **k):
        k["fit_intercept"] = True
        real(self, *a, **k)

    monkeypatch.setattr(SoftmaxRegression, "__init__", keep_bias)
    assert verdicts("boundaries-without-bias") == ["failed", "failed"]


def test_non_convexity_claim_fails_without_a_relabelling(monkeypatch) -> None:
    from byhand.experiments.galerne import non_convexity as mod

    monkeypatch.setattr(mod, "SHIFT", 0)
    assert verdicts("non-convexity") == ["failed"]


def test_signed_distance_claims_pass_and_cite_the_transcript(request) -> None:
    exp = get("perceptron-signed-distance")
    res = exp.func(0, True)
    assert [c.verdict for c in res.claims] == ["reproduced", "reproduced"]
    transcript_path = request.getfixturevalue("transcripts")  # skips here without them
    text = transcript_path("galerne-1").read_text(encoding="utf-8")
    assert all(c.slide in text and c.quote in text for c in res.claims)
    assert list(exp.covers) == [("galerne-1", "Machine learning – Perceptron – Principle")]


def test_signed_distance_fails_when_the_decision_function_forgets_the_bias(monkeypatch) -> None:
    from byhand.linear_model import Perceptron

    monkeypatch.setattr(Perceptron, "decision_function", lambda self, X: X @ self.coef_[0])
    assert verdicts("perceptron-signed-distance")[0] == "failed"


def test_signed_distance_fails_when_predict_flips_the_sign(monkeypatch) -> None:
    from byhand.linear_model import Perceptron

    monkeypatch.setattr(
        Perceptron,
        "predict",
        lambda self, X: self.classes_[(self.decision_function(X) <= 0).astype(np.intp)],
    )
    assert verdicts("perceptron-signed-distance") == ["reproduced", "failed"]


def test_geometric_signed_distance_against_a_literal_closest_point() -> None:
    from scipy.optimize import minimize

    from byhand.experiments.galerne.signed_distance import geometric_signed_distance

    w, b = np.array([3.0, -1.0, 2.0]), -0.5
    x = np.array([1.0, 2.0, -1.0])
    cons = {"type": "eq", "fun": lambda z: w @ z + b}
    z = minimize(lambda z: np.sum((z - x) ** 2), np.zeros(3), constraints=[cons], tol=1e-12).x
    d = geometric_signed_distance(w, b, x[None])[0]
    assert abs(abs(d) - np.linalg.norm(x - z)) < 1e-6 and np.sign(d) == np.sign(w @ x + b)
