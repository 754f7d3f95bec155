"""What each lecture shows, item by item, and which experiment reproduces it.

:data:`CATALOGUE` lists, for every lecture of :mod:`byhand.lectures`, its worked examples,
figure captions and numeric statements by slide title (the title as the lecture writes it).
An item is reproduced by every experiment whose ``covers=`` names ``(lecture id, slide title)``;
an item that byhand does not reproduce carries the reason (a photograph, a historical remark, a
topic the lecture defers). :func:`coverage` joins the catalogue with the registry; the report
shows the result as one table per lecture and ``results.json`` stores it under ``coverage``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from byhand.lectures import LECTURES

__all__ = ["CATALOGUE", "Item", "coverage", "share"]


@dataclass(frozen=True)
class Item:
    """One worked example, figure caption or numeric statement of a lecture.

    ``slide`` is the slide title as in the lecture, ``what`` the item in a few words,
    ``not_reproduced`` the reason when byhand does not reproduce it (empty otherwise), and
    ``topic`` a short key telling apart the items of one slide (a section of EE-559 holds
    several worked examples under one title).
    """

    slide: str
    what: str
    not_reproduced: str = ""
    topic: str = ""


PHOTO = "a photograph or screenshot; nothing to compute"
HISTORY = "a historical remark"
DEFINITION = "a definition without an example or a number"

CATALOGUE: dict[str, tuple[Item, ...]] = {
    "cs577-01": (
        Item(
            "Humans vs algorithms",
            "Figure 7: error rate of an expert against neural networks on a plant test set",
            "a figure of a cited paper (Garcin et al. 2021); its data set is not part of byhand",
        ),
        Item("Citizen Science for biodiversity monitoring", "iNaturalist screenshots", PHOTO),
        Item(
            "Deep learning is a continuously evolving field",
            "SVMs, convolutional nets, diffusion models, transformers over time",
            HISTORY,
        ),
        Item("Gradients", "the gradient of f(x, y) = sin(x)² + cos(y)²"),
        Item(
            "Linear regression (1-dimensional samples)",
            "N = 3 example (1,2), (2,3), (3,1): θ* = (X̃ᵀX̃)⁻¹X̃ᵀy = [−0.5, 3], ∇J(θ*) = 0",
        ),
        Item(
            "GD on our example",
            "GD paths for ε = 0.005, 0.05, 0.1, 0.15, 0.2 (100 iterations); larger step faster, "
            "ε = 0.2 very sensitive",
        ),
        Item(
            "SGD on our example",
            "SGD m = 1, ε = 0.1, shuffled and not; ε_k = 0.99^k · 0.1 (decay the learning rate)",
        ),
        Item("Why GD is actually better", "normal equations against GD as the dimension grows"),
        Item("Binary linear classifier", "the 2-D classifier sign(wᵀx) with w = [1, −1]"),
        Item("Perceptron: an example", "the 8-step trace ending at w = [2, −1], x₂ = 2x₁"),
        Item("Perceptron: is this SGD?", "the perceptron update against the SGD step"),
        Item(
            "Multiclass linear classifier (first attempt)",
            "f(x; W) = argmax_k w_kᵀx, regions of a 3-class linear classifier",
        ),
        Item("Multiclass perceptron", "the multiclass perceptron update"),
        Item("Multiclass perceptron (calculations)", "the multiclass perceptron step by step"),
    ),
    "cs577-03": (
        Item("Linearity", "XOR in-class exercise: least squares gives w → 0", topic="xor"),
        Item(
            "Beyond linearity: feature map",
            "φ(x) = [1, x, …, x^d] with the lecture's code, deg = 37 a hyperparameter",
            topic="1-D",
        ),
        Item(
            "Beyond linearity: feature map",
            "degree-2 polynomials in 2 variables (D = ?, 6 terms) capture XOR",
            topic="degree 2",
        ),
        Item(
            "Linearity",
            "a 2-layer net with linear activation is still linear; with relu it is not",
            topic="linear activation",
        ),
        Item("Activation function", "relu(z) = max{0, z} and its derivative (plot)"),
        Item(
            "1-layer neural network",
            "the four hand-derived gradients of the one-hidden-layer net (d = 1, MSE)",
        ),
        Item("Perceptron: is this SGD?", "perceptron = SGD on max(0, −yz)"),
        Item("Multiclass perceptron (calculations)", "the multiclass perceptron step by step"),
        Item(
            "Administrative matter",
            "course project groups",
            "an announcement of the course, not a result",
        ),
    ),
    "cs577-04": (
        Item(
            "Previously",
            "task / model output / prediction / loss table",
            "a table of definitions (byhand's losses implement each row: identity, sign, "
            "argmax); no number to reproduce",
        ),
        Item("Perceptron: an example", "the perceptron cycling through the samples (wrap around)"),
        Item("Stochastic gradient descent (SGD)", "SGD with m = 1: cheap but not as performant"),
        Item("Perceptron loss", "∇ max{0, −y wᵀx}: 0 or −y x"),
        Item(
            "Perceptron as stochastic gradient descent (SGD)",
            "perceptron update ≡ SGD with m = 1, η = 1 on max{0, −yz}",
        ),
        Item(
            "Breakout session",
            "full-batch perceptron: does it work? Nope; η = 0.1? Nope; the logistic loss",
        ),
        Item("Maximum likelihood", "Gaussian likelihood → mean square error"),
        Item(
            "Breakout session: Maximum likelihood",
            "Bernoulli(sigmoid) likelihood → log(1 + exp(−y wᵀx))",
        ),
        Item(
            "1-layer neural network (higher dim data)",
            "gradients for d > 1 with the MSE and the logistic loss",
            topic="gradients",
        ),
        Item(
            "1-layer neural network (higher dim data)",
            "the “two-moons” toy data set with m = 10 relu units",
            topic="two moons",
        ),
        Item("Multiclass perceptron", "the tie rule: argmax \\ {y} empty → pass"),
        Item(
            "Multinoulli distribution",
            "Multi(ε; p) = p_ε, cat/bird/dog 0.9/0.05/0.05",
            "a definition with an illustrative probability vector; nothing is computed from it",
        ),
        Item("Derivative of the softmax", "∂softmax(z)_y/∂z_j = −p_y p_j or p_y(1 − p_y)"),
        Item("Derivative", "cross entropy gradient ∂L/∂z = p − onehot(y)"),
        Item("Activation function", "relu(z) = max{0, z} and its derivative (plot)"),
        Item(
            "1-layer neural network (multicategory data)",
            "∂J/∂W⁽²⁾ and ∂J/∂W⁽¹⁾ of a one-hidden-layer softmax net",
        ),
    ),
    "ee559-3": (
        Item(
            "3.1. The perceptron",
            "threshold logic units: or, and, not; any Boolean function",
            topic="TLU",
        ),
        Item("(McCulloch and Pitts, 1943)", "the first mathematical model of a neuron", HISTORY),
        Item(
            "3.1. The perceptron",
            "the perceptron algorithm in 2-D, iteration by iteration",
            topic="2-D iterations",
        ),
        Item(
            "3.1. The perceptron",
            "MNIST 0 vs 1 epoch table: 64, 24, 10, … changes, stops at epoch 8, test 0.14 %",
            topic="MNIST",
        ),
        Item("3.1. The perceptron", "convergence bound k ≤ 4R²/γ²", topic="bound"),
        Item(
            "3.1. The perceptron",
            "SVM: λ‖w‖² + hinge loss max(0, 1 − α), margin, support vectors",
            topic="SVM",
        ),
        Item(
            "3.2. Probabilistic view of a linear classifier",
            "LDA: P(Y = 1 | X = x) = σ(w·x + b) with a shared Σ",
            topic="LDA",
        ),
        Item(
            "3.2. Probabilistic view of a linear classifier",
            "logistic regression as the MAP of (w, b) with a Gaussian prior",
            topic="MAP",
        ),
        Item(
            "3.3. Linear separability and feature design",
            "xor made separable by Φ(x_u, x_v) = (x_u, x_v, x_u x_v)",
            topic="xor",
        ),
        Item(
            "3.3. Linear separability and feature design",
            "Φ(x) = (1, x, …, x^D): polynomial regression, capacity as high as we want",
            topic="polynomial",
        ),
        Item(
            "3.3. Linear separability and feature design",
            "MNIST 8 vs the rest with products of random pairs of pixels",
            topic="pair products",
        ),
        Item(
            "3.3. Linear separability and feature design",
            "k-NN votes and predictions (K = 11), with a radial feature",
            topic="k-NN",
        ),
        Item(
            "3.3. Linear separability and feature design",
            "HOG: 8 × 8 cells, 9 orientation bins",
            topic="HOG",
        ),
        Item(
            "3.3. Linear separability and feature design",
            "the kernel trick κ(x, x') = Φ(x)·Φ(x')",
            "a topic the lecture defers ('which we will not talk about in this course')",
            topic="kernel trick",
        ),
        Item(
            "3.4. Multi-Layer Perceptrons",
            "an MLP with an affine σ is an affine mapping",
            topic="affine",
        ),
        Item("3.4. Multi-Layer Perceptrons", "tanh and ReLU", topic="activations"),
        Item("Universal approximation", "sums of ReLUs approximate continuous functions"),
        Item(
            "3.5. Gradient descent",
            "the local quadratic model; GD series at η = 0.125 and η = 0.5: w₀ and η decide "
            "the local minimum",
            topic="local quadratic model",
        ),
        Item(
            "3.5. Gradient descent",
            "logistic regression by GD against LDA, n = 0, 10, 10², 10³, 10⁴ (100 points, "
            "η = 10⁻¹)",
            topic="logistic regression",
        ),
        Item(
            "3.6. Back-propagation",
            "backward pass twice the forward cost; an MLP trained by back-propagation",
            topic="cost",
        ),
        Item(
            "3.6. Back-propagation",
            "the L-layer backward pass checked for several depths",
            topic="L layers",
        ),
    ),
    "galerne-1": (
        Item(
            "Computer vision – Image classification",
            "CIFAR-10 example images; detection, segmentation, captioning, depth, colorization, "
            "generation, stylization examples",
            PHOTO,
        ),
        Item("Terminology", "training, validation and test sets"),
        Item(
            "Deep learning: Academic actors",
            "Hinton, LeCun, Ng, Bengio, Schmidhuber; the 2018 Turing award",
            HISTORY,
        ),
        Item(
            "Neural networks for image classification",
            "goal: train a convolutional neural network for image classification",
        ),
        Item(
            "Machine learning – Perceptron – Principle",
            "the hyperplane ⟨w, x⟩ + b = 0 and the signed distance r = (⟨w, x⟩ + b)/‖w‖",
        ),
        Item("Perceptron algorithm", "the perceptron criterion from a random start, step γ"),
        Item(
            "Perceptrons book (Minsky and Papert, 1969)",
            "xor is not linearly separable",
        ),
        Item(
            "Activation functions",
            "linear units: an equivalent network without hidden units",
            topic="linear units",
        ),
        Item(
            "Activation functions",
            "threshold and sigmoidal units; tanh(a/2) = 2·logistic(a) − 1",
            topic="units",
        ),
        Item(
            "Activation functions",
            "the separators of 1, 2+2+1 and 10+10+1 neurons",
            topic="separators",
        ),
        Item(
            "Activation functions",
            "ReLU trains much faster; the vanishing gradient with the logistic function",
            topic="ReLU",
        ),
        Item(
            "Neural networks solve non-linear separable problems",
            "xor network W₁ = [[1, −1], [−1, 1]], w₂ = [1, 1]",
        ),
        Item("Approximation – Least square regression", "the network approaches E[d | x]"),
        Item(
            "Multiclass classification – Multivariate logistic regression",
            "an MLP with a softmax output and cross-entropy",
        ),
        Item(
            "Multivariate logistic regression",
            "∇L(W) = Σ φ_n (y_n − t_n)ᵀ; gradient descent; averaged SGD",
        ),
        Item("Bias trick for linear classifier", "the boundaries if we forget the bias"),
        Item("Gradient descent", "if 0 < γ < 2/L GD converges to a stationary point"),
        Item("One dimension", "small, good, large, too large step sizes"),
        Item("Two dimensions", "gradient descent paths on a 2-D function"),
        Item("Non convexity in machine learning", "the cost of a neural network is not convex"),
        Item(
            "Learning from examples",
            "three ingredients: training set, model, loss",
            DEFINITION,
        ),
    ),
}


def coverage(covers: Iterable[tuple[str, ...]]) -> dict[str, list[dict[str, Any]]]:
    """Join the catalogue with ``(experiment name, lecture id, slide title[, topic])`` entries.

    An entry with a topic covers that item. An entry without one is allowed only for a slide
    with one reproducible item (a ValueError otherwise, naming the items to choose from): an
    experiment never gets credit for a slide's other worked examples.
    Returns, per lecture id, the items as dicts ``{"slide", "topic", "what", "experiments",
    "status", "reason"}``; ``status`` is ``"not reproduced"`` when the catalogue gives a
    reason, else ``"reproduced"`` when some experiment covers the item, else ``"missing"``.
    """
    by_item: dict[tuple[str, str, str], list[str]] = {}
    for entry in covers:
        name, lecture, slide, *topic = entry
        reproducible = [
            i.topic for i in CATALOGUE.get(lecture, ()) if i.slide == slide and not i.not_reproduced
        ]
        if not topic and len(reproducible) > 1:
            raise ValueError(
                f"experiment {name!r} covers the slide {slide!r} of {lecture} without a topic; "
                f"that slide has several items, name one of {reproducible}"
            )
        for item in CATALOGUE.get(lecture, ()):
            if item.slide == slide and (not topic or item.topic == topic[0]):
                names = by_item.setdefault((lecture, slide, item.topic), [])
                if name not in names:
                    names.append(name)
    out: dict[str, list[dict[str, Any]]] = {}
    for lecture, items in CATALOGUE.items():
        rows = []
        for item in items:
            exps = sorted(by_item.get((lecture, item.slide, item.topic), []))
            if item.not_reproduced:
                status, exps = "not reproduced", []
            elif exps:
                status = "reproduced"
            else:
                status = "missing"
            rows.append(
                {
                    "slide": item.slide,
                    "topic": item.topic,
                    "what": item.what,
                    "experiments": exps,
                    "status": status,
                    "reason": item.not_reproduced,
                }
            )
        out[lecture] = rows
    return out


def share(rows: list[dict[str, Any]]) -> tuple[int, int]:
    """``(reproduced, total)`` items of one lecture's coverage rows."""
    return sum(r["status"] == "reproduced" for r in rows), len(rows)


def unknown_covers(covers: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The ``(experiment, lecture, slide[, topic])`` entries that match no catalogue item."""
    known = {(lec, item.slide) for lec, items in CATALOGUE.items() for item in items}
    topics = {(lec, item.slide, item.topic) for lec, items in CATALOGUE.items() for item in items}
    bad = []
    for entry in covers:
        _, lecture, slide, *topic = entry
        if lecture not in LECTURES or (lecture, slide) not in known:
            bad.append(tuple(entry))
        elif topic and (lecture, slide, topic[0]) not in topics:
            bad.append(tuple(entry))
    return bad
