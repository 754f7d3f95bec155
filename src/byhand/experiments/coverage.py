"""What each lecture shows, item by item, and how far byhand reproduces it.

:data:`CATALOGUE` lists, for every lecture of :mod:`byhand.lectures`, its worked examples,
figures, tables, identities and stated results, by slide title (the title as the lecture writes
it). Each :class:`Item` is either computable (an experiment must reproduce it) or carries the
reason it is not (a photograph, a historical remark, a definition without a number).

:func:`coverage` joins the catalogue with the experiments' ``covers=`` entries and, given a
run's records, with their claims. The status of an item:

- ``"not reproduced"``: the catalogue excuses it (``reason`` says why);
- ``"missing"``: no experiment covers it, or the experiments that do state no claim on its
  slide (then ``reason`` names them);
- ``"skipped"``: every experiment that covers it was skipped (MNIST not found);
- ``"failed"``: an experiment covering it errored, or a claim on it failed;
- ``"differs"``: no claim failed but at least one differs from the lecture for a stated cause
  (``reason`` gives the causes);
- ``"reproduced"``: every claim on it is reproduced.

A claim is *on* an item when its experiment covers the item and its slide is the item's slide
(or one of the item's ``also`` slides: the continuation slides of a worked example, or the
same slide repeated in another lecture). Without records (no run), a covered item counts as
``"reproduced"``.

:data:`CORRECTIONS` withdraws the credit of ``covers=`` entries whose experiment does not
reproduce the item, and :data:`CREDITS` adds entries for items that existing experiments
reproduce but do not yet declare; both are applied by :func:`coverage` so that the table is
honest whatever the experiments declare. :func:`summary` counts the statuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from byhand.lectures import LECTURES

__all__ = [
    "CATALOGUE",
    "CORRECTIONS",
    "CREDITS",
    "KINDS",
    "STATUSES",
    "Item",
    "coverage",
    "share",
    "summary",
    "unknown_covers",
]

KINDS = ("example", "figure", "table", "identity", "result")
STATUSES = ("reproduced", "differs", "failed", "skipped", "missing", "not reproduced")


@dataclass(frozen=True)
class Item:
    """One worked example, figure, table, identity or stated result of a lecture.

    ``slide`` is the slide title as in the lecture, ``what`` the item in a few words,
    ``not_reproduced`` the reason when byhand does not reproduce it (empty otherwise), ``topic``
    a short key telling apart the items of one slide (the item with the empty topic is the one a
    ``covers=`` entry without a topic names), ``kind`` one of :data:`KINDS`, and ``also`` the
    other ``(lecture id, slide title)`` pairs whose claims are on this item (its continuation
    slides, or the same slide in another lecture).
    """

    slide: str
    what: str
    not_reproduced: str = ""
    topic: str = ""
    kind: str = "example"
    also: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Item.kind must be one of {KINDS}, got {self.kind!r}")


PHOTO = "a photograph or screenshot; nothing to compute"
HISTORY = "a historical remark"
DEFINITION = "a definition without an example or a number"
ANNOUNCEMENT = "an announcement of the course, not a result"
DRAWING = "a drawing exercise (a diagram of the network); nothing to compute"
TOPICS = "the course's list of topics, not a result"

L01, L03, L04, EE, GA = "cs577-01", "cs577-03", "cs577-04", "ee559-3", "galerne-1"

CATALOGUE: dict[str, tuple[Item, ...]] = {
    L01: (
        Item("Tree of Life", "the tree of life (BBC Wildlife Magazine)", PHOTO, kind="figure"),
        Item(
            "Humans vs algorithms",
            "Figure 7: error rate of an expert against neural networks on a plant test set",
            "a figure of a cited paper (Garcin et al. 2021); its data set is not part of byhand",
            kind="figure",
        ),
        Item("How It Works", "iNaturalist: record, share, discuss", PHOTO, kind="figure"),
        Item(
            "Citizen Science for biodiversity monitoring",
            "iNaturalist screenshots",
            PHOTO,
            kind="figure",
        ),
        Item(
            "Deep learning is a continuously evolving field",
            "SVMs, convolutional nets, diffusion models, transformers over time",
            HISTORY,
            kind="result",
        ),
        Item(
            "Why take this class?",
            "“Backprop by hand”, “PyTorch by hand”, “The Annotated Transformer”, OpenReview",
            PHOTO,
            kind="figure",
        ),
        Item(
            "Notations",
            "d = width × height × channels (vision), # of genes 20,000 (biology)",
            DEFINITION,
            kind="result",
        ),
        Item(
            "Loss and risk",
            "squared loss L(ŷ, y) = (ŷ − y)² and the empirical risk J(θ) = (1/N) Σ L",
            kind="identity",
        ),
        Item("Gradients", "the gradient of f(x, y) = sin(x)² + cos(y)²; ∇f(x*) = 0 at a minimum"),
        Item(
            "Linear regression (1-dimensional samples)",
            "N = 3 example (1,2), (2,3), (3,1): θ* = (X̃ᵀX̃)⁻¹X̃ᵀy = [−0.5, 3], ∇J(θ*) = 0",
        ),
        Item(
            "Linear regression (1-dimensional samples)",
            "N·J(θ) = ‖y − X̃θ‖² = yᵀy − 2yᵀX̃θ + θᵀX̃ᵀX̃θ (Step 1, ‖a − b‖² = aᵀa − 2aᵀb + bᵀb)",
            topic="expansion",
            kind="identity",
        ),
        Item(
            "Linear regression (1-dimensional samples)",
            "∇θ θᵀb = b and ∇θ θᵀMθ = 2Mθ (for symmetric M; (M + Mᵀ)θ in general), "
            "hence ∇J(θ) = −2X̃ᵀy + 2X̃ᵀX̃θ",
            topic="gradient identities",
            kind="identity",
        ),
        Item(
            "GD on our example",
            "GD paths for ε = 0.005, 0.05, 0.1, 0.15, 0.2 (100 iterations); larger step faster, "
            "ε = 0.2 very sensitive",
            kind="figure",
        ),
        Item(
            "SGD on our example",
            "SGD m = 1, ε = 0.1, samples in order {x1, x2, x3}{x1, x2, x3}… (not shuffled) "
            "against full batch",
            kind="figure",
        ),
        Item(
            "SGD on our example",
            "ε_k = 0.99^k · 0.1 (decay the learning rate)",
            topic="decay",
            kind="figure",
            also=((L01, "SGD ε_k = (0.99)^k 0.1"),),
        ),
        Item("Why GD is actually better", "normal equations against GD as the dimension grows"),
        Item("Binary linear classifier", "the 2-D classifier sign(wᵀx) with w = [1, −1]"),
        Item("Perceptron: an example", "the 8-step trace ending at w = [2, −1], x₂ = 2x₁"),
        Item(
            "Perceptron: is this SGD?",
            "the perceptron update against the SGD step",
            also=((L04, "Perceptron as stochastic gradient descent (SGD)"),),
        ),
        Item(
            "Multiclass linear classifier (first attempt)",
            "f(x; W) = argmax_k w_kᵀx, regions of a 3-class linear classifier",
            kind="figure",
        ),
        Item(
            "Multiclass linear classifier (second attempt)",
            "f(x; W) = argmax_ŷ w_ŷᵀx ∈ {1, …, K} (3): every x gets one label, the regions are "
            "convex",
            kind="result",
        ),
        Item(
            "Multiclass perceptron",
            "the update: if ŷ = y then W ← W, else w_ŷ ← w_ŷ − x, w_y ← w_y + x",
        ),
        Item("Multiclass perceptron (calculations)", "the multiclass perceptron step by step"),
    ),
    L03: (
        Item("Administrative matter", "course project groups", ANNOUNCEMENT, kind="result"),
        Item("Linearity", "XOR in-class exercise: least squares gives w → 0", topic="xor"),
        Item(
            "Linearity",
            "a 2-layer net with linear activation is still linear; with relu it is not",
            topic="linear activation",
            kind="identity",
        ),
        Item(
            "Linearity",
            "linear regression f(x) = wᵀx + b is linear in the slide's sense with C = b: "
            "f(x + x') − C = (f(x) − C) + (f(x') − C), f(λx) − C = λ(f(x) − C)",
            topic="definition",
            kind="identity",
        ),
        Item("Linearity", "“Draw the network architecture diagram”", DRAWING, "diagram", "figure"),
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
            "Activation function",
            "relu(z) = max{0, z}, relu′(z) = 1 for z ≥ 0 and 0 for z < 0 (plot)",
            kind="figure",
        ),
        Item(
            "1-layer neural network",
            "the four hand-derived gradients of the one-hidden-layer net (d = 1, MSE)",
            kind="identity",
        ),
        Item(
            "Perceptron: is this SGD?",
            "perceptron = SGD on max(0, −yz)",
            also=((L04, "Perceptron as stochastic gradient descent (SGD)"),),
        ),
        Item(
            "Multiclass linear classifier (second attempt)",
            "f(x; W) = argmax_ŷ w_ŷᵀx (3), as in CS 577 Lecture 01",
            kind="result",
            also=((L01, "Multiclass linear classifier (second attempt)"),),
        ),
        Item(
            "Multiclass perceptron",
            "the update: if ŷ = y then W ← W, else w_ŷ ← w_ŷ − x, w_y ← w_y + x",
            also=((L01, "Multiclass perceptron"),),
        ),
        Item(
            "Multiclass perceptron (calculations)",
            "the multiclass perceptron step by step",
            also=((L01, "Multiclass perceptron (calculations)"),),
        ),
    ),
    L04: (
        Item("Administrative matter", "course project groups", ANNOUNCEMENT, kind="result"),
        Item(
            "Previously",
            "task / model output / prediction / loss table: identity, sign, argmax and their "
            "losses",
            kind="table",
        ),
        Item("Perceptron: an example", "the perceptron cycling through the samples (wrap around)"),
        Item(
            "Stochastic gradient descent (SGD)",
            "SGD with m = 1: cheap but not as performant",
            kind="result",
        ),
        Item(
            "Perceptron loss",
            "∇ max{0, −y wᵀx}: 0 if y wᵀx > 0, −y x if y wᵀx < 0",
            kind="identity",
        ),
        Item(
            "Perceptron as stochastic gradient descent (SGD)",
            "perceptron update ≡ SGD with m = 1, η = 1 on max{0, −yz}",
            kind="identity",
        ),
        Item(
            "Breakout session",
            "full-batch perceptron: does it work? Nope; η = 0.1? Nope; the logistic loss",
            kind="result",
        ),
        Item(
            "Gaussian/normal distribution",
            "the PDF N(ε; μ, σ²) = exp(−(ε − μ)²/(2σ²))/√(2πσ²) (the Gaussian plot)",
            kind="figure",
        ),
        Item("Maximum likelihood", "Gaussian likelihood → mean square error", kind="identity"),
        Item(
            "What exactly is",
            "sigmoid(z) = 1/(1 + e^{−z}), the logistic function, maps wᵀx ∈ ℝ to p ∈ [0, 1] "
            "(the logistic plot)",
            topic="logistic",
            kind="figure",
        ),
        Item(
            "Breakout session: Maximum likelihood",
            "Bernoulli(sigmoid) likelihood → log(1 + exp(−y wᵀx))",
            kind="identity",
        ),
        Item(
            "Breakout session: Maximum likelihood",
            "case y = −1: Bern(0; sigmoid(z)) = 1 − sigmoid(z) = e^{−z}/(1 + e^{−z}) = 1/(1 + e^z)",
            topic="1 − sigmoid",
            kind="identity",
        ),
        Item(
            "Activation function",
            "relu(z) = max{0, z}, “bad loss, good act” (plot relu and its derivative)",
            kind="figure",
        ),
        Item(
            "Linearity",
            "the 2-layer net w⁽²⁾ᵀ g(W⁽¹⁾ᵀx + b⁽¹⁾) + b⁽²⁾ with m = 10 relu units",
            "the architecture of the two-moons item below, reproduced there",
            kind="result",
        ),
        Item(
            "1-layer neural network",
            "regression, 1-dim data: ∂L/∂z = −2(y − z) and the four gradients",
            kind="identity",
            also=((L03, "1-layer neural network"),),
        ),
        Item(
            "1-layer neural network (higher dim data)",
            "gradients for d > 1 with the MSE and the logistic loss",
            topic="gradients",
            kind="identity",
        ),
        Item(
            "1-layer neural network (higher dim data)",
            "the “two-moons” toy data set with m = 10 relu units",
            topic="two moons",
        ),
        Item(
            "Multiclass linear classifier (second attempt)",
            "f(x; W) = argmax_ŷ w_ŷᵀx (1)",
            kind="result",
            also=((L01, "Multiclass linear classifier (second attempt)"),),
        ),
        Item("Multiclass perceptron", "the tie rule: argmax \\ {y} empty → pass"),
        Item(
            "Multiclass perceptron",
            "“multiclass perceptron suffers from instability”",
            topic="instability",
            kind="result",
        ),
        Item(
            "Multinoulli distribution",
            "Multi(ε; p) = p_ε, cat/bird/dog 0.9/0.05/0.05",
            "a definition with an illustrative probability vector; nothing is computed from it",
            kind="table",
        ),
        Item(
            "Viewing the “cross-entropy” as a NLL",
            "softmax(z) = exp(z)/Σ exp(z_j): positive, sums to one; −log softmax(z)_y is the "
            "cross-entropy",
            kind="identity",
        ),
        Item(
            "Derivative of the softmax",
            "∂softmax(z)_y/∂z_j = −p_y p_j or p_y(1 − p_y)",
            kind="identity",
        ),
        Item("Derivative", "cross entropy gradient ∂L/∂z = p − onehot(y)", kind="identity"),
        Item(
            "Derivative",
            "the case list −(1/p_y)·{p_y p_j, p_y(1 − p_y)} = {p_j (j ≠ y), (1 − p_y) (j = y)}",
            topic="case list",
            kind="identity",
        ),
        Item(
            "1-layer neural network (multicategory data)",
            "∂J/∂W⁽²⁾ and ∂J/∂W⁽¹⁾ of a one-hidden-layer softmax net",
            kind="identity",
        ),
    ),
    EE: (
        Item(
            "3.1. The perceptron",
            "threshold logic units: or, and, not; any Boolean function",
            topic="TLU",
        ),
        Item(
            "(McCulloch and Pitts, 1943)",
            "the first mathematical model of a neuron",
            HISTORY,
            kind="result",
        ),
        Item("(Rosenblatt, 1957)", "the perceptron, a crude model", HISTORY, "", "result"),
        Item(
            "3.1. The perceptron",
            "the neuron drawn as a diagram (“We can represent this neuron as follows”)",
            "a diagram of the formula f(x) = σ(w·x + b); nothing to compute",
            topic="neuron diagram",
            kind="figure",
        ),
        Item(
            "3.1. The perceptron",
            "the perceptron algorithm in 2-D, iteration by iteration",
            topic="2-D iterations",
            kind="figure",
        ),
        Item(
            "3.1. The perceptron",
            "a grid of MNIST 0s and 1s",
            "sample images of the data set; the MNIST item below runs on them",
            topic="MNIST images",
            kind="figure",
        ),
        Item(
            "3.1. The perceptron",
            "MNIST 0 vs 1 epoch table: 64, 24, 10, … changes, stops at epoch 8, test 0.14 %",
            topic="MNIST",
            kind="table",
        ),
        Item(
            "3.1. The perceptron",
            "convergence bound k ≤ 4R²/γ²; unchanged by scaling; larger margin, faster",
            topic="bound",
            kind="result",
        ),
        Item(
            "3.1. The perceptron",
            "SVM: λ‖w‖² + hinge loss max(0, 1 − α), margin, support vectors",
            topic="SVM",
        ),
        Item(
            "3.2. Probabilistic view of a linear classifier",
            "LDA: P(Y = 1 | X = x) = σ(w·x + b) with a shared Σ (and the figures of μ_{X|Y=0}, "
            "μ_{X|Y=1}, P(Y = 1 | X = x))",
            topic="LDA",
        ),
        Item(
            "3.2. Probabilistic view of a linear classifier",
            "the logistic sigmoid σ(x) = 1/(1 + e^{−x}) looks like a “soft heavyside”",
            topic="sigmoid",
            kind="figure",
        ),
        Item(
            "3.2. Probabilistic view of a linear classifier",
            "1 − σ(x) = σ(−x), hence P(Y = y | X = x) = σ(y(w·x + b)) for y ∈ {−1, 1}",
            topic="symmetry",
            kind="identity",
        ),
        Item(
            "3.2. Probabilistic view of a linear classifier",
            "logistic regression as the MAP of (w, b) with a Gaussian prior",
            topic="MAP",
            kind="identity",
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
            also=((L03, "Beyond linearity: feature map"),),
        ),
        Item(
            "3.3. Linear separability and feature design",
            "MNIST 8 vs the rest with products of random pairs of pixels",
            topic="pair products",
        ),
        Item(
            "3.3. Linear separability and feature design",
            "bias-variance: E((Y − y)²) = (E(Y) − y)² + V(Y)",
            topic="bias-variance",
            kind="identity",
        ),
        Item(
            "3.3. Linear separability and feature design",
            "k-NN votes and predictions (K = 11), with a radial feature",
            topic="k-NN",
            kind="figure",
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
            kind="identity",
        ),
        Item(
            "3.4. Multi-Layer Perceptrons",
            "an MLP with an affine σ is an affine mapping",
            topic="affine",
            kind="identity",
            also=((GA, "Activation functions (linear units)"),),
        ),
        Item(
            "3.4. Multi-Layer Perceptrons",
            "tanh x = 2/(1 + e^{−2x}) − 1 and ReLU x ↦ max(0, x)",
            topic="activations",
            kind="identity",
        ),
        Item(
            "Universal approximation",
            "sums of ReLUs approximate continuous functions; a larger K for a better one",
        ),
        Item(
            "3.5. Gradient descent",
            "the local quadratic model; GD series at η = 0.125 and η = 0.5: w₀ and η decide "
            "the local minimum",
            topic="local quadratic model",
            kind="figure",
        ),
        Item(
            "3.5. Gradient descent",
            "logistic regression by GD against LDA, n = 0, 10, 10², 10³, 10⁴ (100 points, "
            "η = 10⁻¹)",
            topic="logistic regression",
            kind="figure",
        ),
        Item(
            "3.6. Back-propagation",
            "backward pass twice the forward cost; an MLP trained by back-propagation",
            topic="cost",
            kind="result",
        ),
        Item(
            "3.6. Back-propagation",
            "the L-layer backward pass checked for several depths",
            topic="L layers",
            kind="identity",
        ),
    ),
    GA: (
        Item(
            "Computer vision – Image classification",
            "CIFAR-10 example images (airplane … truck)",
            PHOTO,
            kind="figure",
        ),
        Item("Computer vision – Object detection", "detected people (Redmon)", PHOTO, "", "figure"),
        Item("Computer vision – Image segmentation", "segments (Kundu)", PHOTO, "", "figure"),
        Item(
            "Computer vision – Image captioning",
            "captions (Karpathy, Fei-Fei 2015)",
            PHOTO,
            kind="figure",
        ),
        Item("Computer vision – Depth estimation", "stereo depth maps", PHOTO, "", "figure"),
        Item("Image colorization", "colorized photographs (Zhang 2016)", PHOTO, "", "figure"),
        Item("Image generation", "generated bedrooms (Radford et al. 2015)", PHOTO, "", "figure"),
        Item("Image stylization", "Neural Doodle (Champanard 2016)", PHOTO, "", "figure"),
        Item("Style transfer", "style transfer (Gatys et al. 2015)", PHOTO, "", "figure"),
        Item(
            "Learning from examples",
            "three ingredients: training set, model, loss",
            DEFINITION,
            kind="result",
        ),
        Item("Terminology", "training, validation and test sets", kind="result"),
        Item(
            "Learning approaches",
            "unsupervised, supervised, semi-supervised, reinforcement learning",
            DEFINITION,
            kind="figure",
        ),
        Item(
            "Machine learning workflow",
            "a workflow diagram (Walker)",
            "a diagram; nothing to compute",
            kind="figure",
        ),
        Item(
            "Problem types",
            "classification, regression, clustering, anomaly detection (Masuch)",
            "a diagram of problem types; nothing to compute",
            kind="figure",
        ),
        Item(
            "Deep learning: Academic actors",
            "Hinton, LeCun, Ng, Bengio, Schmidhuber; the 2018 Turing award",
            HISTORY,
            kind="result",
        ),
        Item(
            "Neural networks for image classification",
            "goal: train a convolutional neural network for image classification",
            kind="result",
        ),
        Item(
            "Understand the training of a convolutional neural network for image classification",
            "the gradient ∇L(W) is computed using backpropagation",
            kind="identity",
        ),
        Item(
            "Perceptron",
            "timeline: 1958 Perceptron, 1969 Perceptrons book, perceptron criticized",
            HISTORY,
            kind="figure",
        ),
        Item(
            "Representation of the Perceptron",
            "the perceptron drawn with synaptic weights w_k and bias b",
            "a diagram of the formula; nothing to compute",
            kind="figure",
        ),
        Item(
            "Machine learning – Perceptron – Principle",
            "the hyperplane ⟨w, x⟩ + b = 0 and the signed distance r = (⟨w, x⟩ + b)/‖w‖",
        ),
        Item("Perceptron algorithm", "the perceptron criterion from a random start, step γ"),
        Item(
            "Perceptrons book (Minsky and Papert, 1969)",
            "xor is not linearly separable",
            kind="result",
            also=((EE, "3.3. Linear separability and feature design"),),
        ),
        Item(
            "Artificial neuron (McCulloch & Pitts, 1943)",
            "a biological neuron beside an artificial one",
            PHOTO,
            kind="figure",
        ),
        Item(
            "Artificial neural network / Multilayer perceptron / NeuralNet",
            "h_i = g₁(Σ_j w¹_ij x_j + b¹_i), y_i = g₂(Σ_j w²_ij h_j + b²_i) is h = g₁(W₁x + b₁), "
            "y = g₂(W₂h + b₂)",
            kind="identity",
        ),
        Item(
            "Artificial neural network / Multilayer perceptron",
            "biases in the weights: W_k h_{k−1} + b_k = W̃_k (1, h_{k−1})",
            kind="identity",
        ),
        Item(
            "Activation functions",
            "linear units: an equivalent network without hidden units",
            topic="linear units",
            kind="identity",
        ),
        Item(
            "Activation functions",
            "threshold and sigmoidal units; tanh(a/2) = 2·logistic(a) − 1",
            topic="units",
            kind="identity",
        ),
        Item(
            "Activation functions",
            "the separators of 1, 2+2+1 and 10+10+1 neurons",
            topic="separators",
            kind="figure",
        ),
        Item(
            "Activation functions",
            "ReLU trains much faster; the vanishing gradient with the logistic function",
            topic="ReLU",
            kind="result",
        ),
        Item(
            "Neural networks solve non-linear separable problems",
            "xor network W₁ = [[1, −1], [−1, 1]], w₂ = [1, 1]",
        ),
        Item(
            "Approximation – Least square regression",
            "the network approaches E[d | x]",
            kind="result",
        ),
        Item(
            "Multiclass classification – Multivariate logistic regression",
            "an MLP with a softmax output and cross-entropy",
            kind="result",
        ),
        Item(
            "Multiclass classification – Multivariate logistic regression",
            "softmax maps ℝ^K to probability vectors; argmax_k softmax(a) = argmax_k a; "
            "E(W) = −Σ_i [a_{d_i} − log Σ_k exp(a_k)]",
            topic="softmax",
            kind="identity",
        ),
        Item(
            "Linear classifier",
            "class regions ∩_ℓ {w_kᵀφ + b_k > w_ℓᵀφ + b_ℓ}: (unbounded) convex polygons",
            kind="result",
        ),
        Item("Bias trick for linear classifier", "the boundaries if we forget the bias"),
        Item(
            "Loglikelihood",
            "L(W) = −Σ log y_{t_n}(φ_n) = −Σ [w_{t_n}ᵀφ_n − log Σ_j exp(w_jᵀφ_n)]; L is convex",
            kind="identity",
        ),
        Item(
            "Multivariate logistic regression",
            "∇L(W) = Σ φ_n (y_n − t_n)ᵀ; gradient descent; averaged SGD",
        ),
        Item(
            "Gradient descent",
            "if 0 < γ < 2/L GD converges to a stationary point",
            kind="result",
        ),
        Item("One dimension", "small, good, large, too large step sizes", kind="figure"),
        Item(
            "Two dimensions",
            "gradient descent paths on a 2-D function",
            kind="figure",
            also=((GA, "Gradient descent"),),
        ),
        Item(
            "Non convexity in machine learning",
            "the cost of a neural network is not convex",
            kind="result",
        ),
        Item(
            "Timeline of (deep) learning",
            "the course plan: neural networks, CNNs, segmentation, generative models",
            TOPICS,
            kind="result",
        ),
    ),
}

#: ``(experiment, lecture id, slide title, topic)`` → why that experiment does not reproduce the
#: item its ``covers=`` names: the credit is withdrawn (the item then needs another experiment).
CORRECTIONS: dict[tuple[str, str, str, str], str] = {
    (
        "multiclass-perceptron",
        L01,
        "Multiclass linear classifier (first attempt)",
        "",
    ): "it states no claim on this slide (only a figure of its own regions)",
    (
        "multiclass-perceptron",
        L01,
        "Multiclass perceptron",
        "",
    ): "it runs CS 577 Lecture 04's tie rule, not this slide's 'if ŷ = y, W ← W' (they differ "
    "at ties, e.g. at W = 0)",
    (
        "multiclass-perceptron-calculations",
        L01,
        "Multiclass perceptron (calculations)",
        "",
    ): "its trace counts a tie with the true class as a mistake (CS 577 Lecture 04's rule); "
    "this slide's rule 'if ŷ = y, W ← W' passes when argmax picks y at a tie",
    (
        "multiclass-perceptron-calculations",
        L03,
        "Multiclass perceptron (calculations)",
        "",
    ): "its trace counts a tie with the true class as a mistake (CS 577 Lecture 04's rule); "
    "this slide's rule 'if ŷ = y, W ← W' passes when argmax picks y at a tie",
    (
        "perceptron-trace",
        L04,
        "Perceptron: an example",
        "",
    ): "its trace stops at T = N; this slide's example wraps around past sample N",
    (
        "activations",
        L03,
        "Activation function",
        "",
    ): "it states no claim on this slide (its claims are on Galerne's slide), and byhand's "
    "relu′(0) = 0 is not this slide's relu′(0) = 1",
    ("activations", L04, "Activation function", ""): "it states no claim on this slide",
    (
        "activations",
        EE,
        "3.4. Multi-Layer Perceptrons",
        "activations",
    ): "it states no claim on this slide (EE-559's tanh x = 2/(1 + e^{−2x}) − 1 and ReLU)",
    (
        "perceptron-is-sgd",
        L04,
        "Perceptron loss",
        "",
    ): "it states no claim on this slide's gradient cases (0, or −y x)",
    (
        "sgd-paths",
        L01,
        "SGD on our example",
        "",
    ): "its one claim is on the decaying rate; nothing checks the m = 1 run in order",
}

#: ``(experiment, lecture id, slide title, topic)`` entries for items an existing experiment
#: reproduces (its claims are on them) without declaring it in ``covers=``.
CREDITS: tuple[tuple[str, str, str, str], ...] = (
    ("sgd-paths", L01, "SGD on our example", "decay"),
    ("hand-gradients", L04, "1-layer neural network", ""),
)


def _norm(text: str) -> str:
    return " ".join(str(text).split())


def _items(lecture: str, slide: str) -> list[Item]:
    return [i for i in CATALOGUE.get(lecture, ()) if i.slide == slide]


def _resolve(name: str, lecture: str, slide: str, topic: str | None) -> list[Item]:
    """The catalogue items a ``covers=`` entry names (ValueError when ambiguous)."""
    items = _items(lecture, slide)
    if topic is not None:
        return [i for i in items if i.topic == topic]
    main = [i for i in items if i.topic == ""]
    if main:
        return main
    reproducible = [i for i in items if not i.not_reproduced]
    if len(reproducible) > 1:
        raise ValueError(
            f"experiment {name!r} covers the slide {slide!r} of {lecture} without a topic; "
            f"that slide has several items, name one of {[i.topic for i in reproducible]}"
        )
    return items


def _credits(covers: Iterable[Sequence[str]]) -> dict[tuple[str, str, str], list[str]]:
    """(lecture, slide, topic) → experiment names, after :data:`CORRECTIONS` and
    :data:`CREDITS` (a credit is added only for an experiment that is among ``covers``)."""
    entries = [tuple(str(p) for p in e) for e in covers]
    names = {e[0] for e in entries}
    entries += [c for c in CREDITS if c[0] in names]
    by_item: dict[tuple[str, str, str], list[str]] = {}
    for entry in entries:
        name, lecture, slide, *rest = entry
        for item in _resolve(name, lecture, slide, rest[0] if rest else None):
            if (name, lecture, slide, item.topic) in CORRECTIONS:
                continue
            names_ = by_item.setdefault((lecture, slide, item.topic), [])
            if name not in names_:
                names_.append(name)
    return by_item


def _starts(slide: str, title: str) -> bool:
    """Whether ``slide`` is ``title`` or ``title`` followed by more words (a slide's subtitle)."""
    title = _norm(title)
    return slide.startswith(title) and (len(slide) == len(title) or not slide[len(title)].isalnum())


def _on_item(claim: Mapping[str, Any], lecture: str, item: Item) -> bool:
    """Whether a claim is on the item: its slide is the item's slide (the longest catalogue
    title of its lecture that its slide starts with) or one of the item's ``also`` slides."""
    slide = _norm(claim.get("slide", ""))
    if claim.get("lecture") == lecture:
        titles = [t for t in {i.slide for i in CATALOGUE.get(lecture, ())} if _starts(slide, t)]
        if titles and max(titles, key=len) == item.slide:
            return True
    return any(claim.get("lecture") == lec and _starts(slide, t) for lec, t in item.also)


def _judge(
    lecture: str, item: Item, exps: list[str], records: Mapping[str, Mapping[str, Any]]
) -> tuple[str, str, dict[str, int]]:
    """(status, reason, verdict counts) of a covered item from its experiments' records."""
    ran = [records[n] for n in exps if n in records]
    counts = {"reproduced": 0, "differs": 0, "failed": 0}
    if not ran:
        return "missing", "its experiment(s) did not run: " + ", ".join(exps), counts
    if all(str(r.get("status", "")).startswith("skipped") for r in ran):
        return "skipped", "its experiment was skipped in this run (MNIST not found)", counts
    errored = [r["name"] for r in ran if str(r.get("status", "")).startswith("error")]
    claims = [
        c
        for r in ran
        if str(r.get("status", "")) == "ok"
        for c in r.get("claims", [])
        if _on_item(c, lecture, item)
    ]
    for c in claims:
        counts[c.get("verdict", "failed") if c.get("verdict") in counts else "failed"] += 1
    if errored:
        return "failed", "its experiment errored in this run: " + ", ".join(errored), counts
    if not claims:
        return (
            "missing",
            f"credited to {', '.join(exps)}, which states no claim on this slide",
            counts,
        )
    if counts["failed"]:
        return "failed", f"{counts['failed']} of its {len(claims)} claims failed", counts
    if counts["differs"]:
        causes = sorted({c.get("differs", "") for c in claims if c.get("verdict") == "differs"})
        return "differs", "; ".join(c for c in causes if c) or "a stated cause", counts
    return "reproduced", "", counts


def coverage(
    covers: Iterable[Sequence[str]],
    records: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Join the catalogue with ``(experiment name, lecture id, slide title[, topic])`` entries.

    An entry with a topic covers that item; an entry without one covers the slide's item whose
    topic is empty, or its only reproducible item (a ValueError otherwise, naming the items to
    choose from): an experiment never gets credit for a slide's other worked examples.
    :data:`CORRECTIONS` and :data:`CREDITS` are applied. ``records`` (a run's experiment records,
    each with ``name``, ``status`` and ``claims``, as in ``results.json``) decide the status from
    the claims on each item (see the module docstring); without them a covered item counts as
    ``"reproduced"``.

    Returns, per lecture id, the items as dicts ``{"slide", "topic", "what", "kind",
    "experiments", "status", "reason", "claims"}``, ``claims`` counting the verdicts of the
    claims on the item.
    """
    by_item = _credits(covers)
    recs = None if records is None else {r["name"]: r for r in records}
    out: dict[str, list[dict[str, Any]]] = {}
    for lecture, items in CATALOGUE.items():
        rows = []
        for item in items:
            exps = sorted(by_item.get((lecture, item.slide, item.topic), []))
            counts = {"reproduced": 0, "differs": 0, "failed": 0}
            if item.not_reproduced:
                status, reason, exps = "not reproduced", item.not_reproduced, []
            elif not exps:
                status, reason = "missing", "no experiment reproduces it"
            elif recs is None:
                status, reason = "reproduced", ""
            else:
                status, reason, counts = _judge(lecture, item, exps, recs)
            rows.append(
                {
                    "slide": item.slide,
                    "topic": item.topic,
                    "what": item.what,
                    "kind": item.kind,
                    "experiments": exps,
                    "status": status,
                    "reason": reason,
                    "claims": counts,
                }
            )
        out[lecture] = rows
    return out


def share(rows: list[dict[str, Any]]) -> tuple[int, int]:
    """``(reproduced, total)`` items of one lecture's coverage rows."""
    return sum(r["status"] == "reproduced" for r in rows), len(rows)


def summary(cover: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Counts of a coverage table: items in all, per status, and per lecture and status.

    ``{"items": n, "by_status": {status: n}, "by_lecture": {lecture: {"items": n, status: n}},
    "computable_without_experiment": [(lecture, slide, topic), …]}`` — the last lists the items
    that are neither excused nor covered by any experiment.
    """
    by_lecture: dict[str, dict[str, int]] = {}
    totals = dict.fromkeys(STATUSES, 0)
    uncovered = []
    for lecture, rows in cover.items():
        counts = dict.fromkeys(STATUSES, 0)
        for r in rows:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
            totals[r["status"]] = totals.get(r["status"], 0) + 1
            if r["status"] != "not reproduced" and not r["experiments"]:
                uncovered.append([lecture, r["slide"], r["topic"]])
        by_lecture[lecture] = {"items": len(rows), **counts}
    return {
        "items": sum(len(rows) for rows in cover.values()),
        "by_status": totals,
        "by_lecture": by_lecture,
        "computable_without_experiment": uncovered,
    }


def unknown_covers(covers: Iterable[Sequence[str]]) -> list[tuple[str, ...]]:
    """The ``(experiment, lecture, slide[, topic])`` entries that match no catalogue item."""
    bad = []
    for entry in covers:
        _, lecture, slide, *topic = entry
        items = _items(lecture, slide) if lecture in LECTURES else []
        if not items or (topic and topic[0] not in {i.topic for i in items}):
            bad.append(tuple(entry))
    return bad
