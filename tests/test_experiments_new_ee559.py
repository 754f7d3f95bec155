"""New EE-559 experiments (107–111) in quick mode: claims pass, citations are real, the
central claims fail when the component under test is broken; HOG against scikit-image."""

from __future__ import annotations

import numpy as np
import pytest

from _experiments import check_claims_pass_and_cite, verdicts

NAMES = ["perceptron-2d-hinge", "logistic-map", "gd-local-minima", "backward-depths", "hog-mnist"]


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.mnist) if n == "hog-mnist" else n for n in NAMES]
)
def test_claims_pass_and_cite_the_transcripts(name: str, request) -> None:
    # the transcripts fixture skips here without them
    check_claims_pass_and_cite(name, request.getfixturevalue("transcripts"), "ee559-3")


def test_perceptron_claim_fails_with_a_wrong_update(monkeypatch) -> None:
    from byhand.experiments.ee559 import perceptron_hinge as mod

    real = mod.train_perceptron
    monkeypatch.setattr(
        mod, "train_perceptron", lambda x, y, n: (lambda w, c: (w * 2, c))(*real(x, y, n))
    )
    assert verdicts("perceptron-2d-hinge")[0] == "failed"


def test_map_claims_fail_with_a_wrong_prior(monkeypatch) -> None:
    from byhand.experiments.ee559 import logistic_map as mod

    real = mod.neg_log_posterior
    monkeypatch.setattr(
        mod,
        "neg_log_posterior",
        lambda t, X, y, s: real(t, X, y, s) + t[:-1] @ t[:-1] / (2 * s * s),
    )
    v = verdicts("logistic-map")
    assert v[0] == "failed" and v[1] == "failed"


def test_local_minima_claim_fails_on_a_convex_function(monkeypatch) -> None:
    from byhand.experiments.ee559 import local_minima as mod

    monkeypatch.setattr(mod, "dloss_nc", lambda w: w / 2)
    monkeypatch.setattr(mod, "d2loss_nc", lambda w: 0.5 + 0 * w)
    assert verdicts("gd-local-minima")[1] == "failed"


def test_backward_claim_fails_with_a_wrong_sigma_prime(monkeypatch) -> None:
    from byhand.experiments.ee559 import backward_depths as mod

    monkeypatch.setattr(mod, "sigma_prime", lambda s: 1.0 - np.tanh(s))
    assert verdicts("backward-depths")[0] == "failed"


def test_hog_matches_scikit_image(mnist_home) -> None:
    from skimage.feature import hog

    from byhand.datasets import load_mnist
    from byhand.features import HOGFeatures

    X, _ = load_mnist("test", flatten=False, data_home=mnist_home, dtype=np.float64)
    X = X[:100]
    ours = HOGFeatures().fit_transform(X)
    ref = np.array(
        [
            hog(im, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(1, 1), block_norm="L1")
            for im in X
        ]
    )
    np.testing.assert_allclose(ours, ref, atol=1e-6)


def test_hog_literal_loop_and_errors() -> None:
    from byhand.experiments.ee559.hog import hog_literal
    from byhand.features import HOGFeatures, hog_cells

    rng = np.random.default_rng(0)
    im = rng.random((17, 26))
    np.testing.assert_allclose(hog_cells(im)[0], hog_literal(im), atol=1e-14)
    # a vertical edge: gradient along columns, orientation 0°, all votes in bin 0
    edge = np.zeros((16, 16))
    edge[:, 8:] = 1.0
    h = hog_cells(edge)[0]
    assert h[..., 1:].sum() == 0 and h[..., 0].sum() > 0
    with pytest.raises(ValueError, match="shape"):
        hog_cells(np.zeros(5))
    with pytest.raises(ValueError, match="cell"):
        hog_cells(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="cell_size"):
        hog_cells(np.zeros((16, 16)), cell_size=0)
    with pytest.raises(ValueError, match="pixels"):
        HOGFeatures().fit(np.zeros((2, 10))).transform(np.zeros((2, 10)))


def test_hog_claim_fails_when_orientation_is_lost(monkeypatch, mnist_home) -> None:
    """All votes in one bin: L1-normalised cells carry nothing, the accuracy claim fails."""
    from byhand import features

    monkeypatch.setenv("BYHAND_DATA", str(mnist_home))
    real = features.hog_cells

    def one_bin(images, cell_size=8, n_bins=9):
        H = real(images, cell_size, n_bins)
        out = np.zeros_like(H)
        out[..., 0] = H.sum(axis=-1)
        return out

    monkeypatch.setattr(features, "hog_cells", one_bin)
    v = verdicts("hog-mnist")
    assert v[0] == "failed" and v[1] == "failed"
