"""Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25).

"Approximation – Least square regression": the least-squares network approaches E[d | x].
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "galerne-1"


@experiment(
    "regression-conditional-mean",
    title="Least-squares regression by a network approaches E[d | x]",
    lecture=LECTURE,
    number=116,
    covers=[(LECTURE, "Approximation – Least square regression")],
)
def regression_conditional_mean(seed: int, quick: bool) -> ExperimentResult:
    from byhand.neural_network import MLPRegressor

    rng = np.random.default_rng(seed)
    grid = np.linspace(-2.5, 2.5, 201)[:, None]
    mean = np.sin(grid[:, 0]) + 0.5  # ε ~ Exp(1)/2: E[ε] = 0.5, median ln 2 / 2
    median = np.sin(grid[:, 0]) + 0.5 * np.log(2)
    sizes = (300, 3000) if quick else (300, 10000)
    errs, fits = {}, {}
    for n in sizes:
        x = rng.uniform(-3, 3, size=(n, 1))
        dd = np.sin(x[:, 0]) + rng.exponential(0.5, size=n)
        net = MLPRegressor(
            (32, 32),
            learning_rate=0.01,
            max_iter=150,
            batch_size=64,
            tol=None,
            dtype="float64",
            random_state=seed,
        )
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit(x, dd)
        f = net.predict(grid)
        fits[n] = f
        errs[n] = (
            float(np.sqrt(np.mean((f - mean) ** 2))),
            float(np.sqrt(np.mean((f - median) ** 2))),
        )
    big, small = sizes[1], sizes[0]
    res = ExperimentResult()
    res.claim(
        LECTURE,
        "Approximation – Least square regression",
        "the least-squares network approaches the posterior mean E[d | x], not another "
        "location such as the median: with skewed noise its distance to E[d | x] is below its "
        "distance to the median, and shrinks as N grows",
        {f"N = {n}": {"rms to mean": errs[n][0], "rms to median": errs[n][1]} for n in sizes},
        bool(errs[big][0] < errs[big][1] and errs[big][0] < errs[small][0]),
        kind="qualitative",
        detail="d = sin x + ε, ε ~ Exponential(mean 0.5) (E[d|x] = sin x + 0.5, median "
        "sin x + 0.347); byhand's MLPRegressor (32, 32) ReLU, squared error, SGD; rms over "
        "x ∈ [−2.5, 2.5]",
        source="lecture",
        quote=r"\underbrace{\mathbb{E}[\mathbf{d}|\mathbf{x}] = \int \mathbf{d} "
        r"p(\mathbf{d}|\mathbf{x}) d\mathbf{d}}_{\text{posterior mean}}",
        rule="with the large sample, distance to E[d|x] < distance to the median, and < with the "
        "small sample",
    )
    fig, ax = subplots()
    ax.plot(grid, mean, "k-", lw=2, label=r"$\mathbb{E}[d\,|\,x]$")
    ax.plot(grid, median, "k:", lw=1.5, label="conditional median")
    for n in sizes:
        ax.plot(grid, fits[n], lw=1.2, label=rf"network, $N = {n}$")
    ax.set_xlabel(r"$x$")
    ax.set_ylabel(r"$d$")
    ax.legend(fontsize=8)
    res.figure(fig, "The least-squares network against the conditional mean and median.")
    return res


# --------------------------------------------------------------------------- 117
