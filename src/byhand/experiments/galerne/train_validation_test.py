"""Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25).

"Terminology": training, validation and test sets; a hyperparameter chosen on the
validation set, the test set used once.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "galerne-1"


@experiment(
    "train-validation-test",
    title="Training, validation and test sets: K of k-NN chosen on validation, tested once",
    lecture=LECTURE,
    number=113,
    covers=[(LECTURE, "Terminology")],
)
def train_validation_test(seed: int, quick: bool) -> ExperimentResult:
    from byhand.datasets import make_moons
    from byhand.neighbors import KNeighborsClassifier

    X, y = make_moons(2400, noise=0.35, random_state=seed)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(y))
    tr, va, te = perm[:800], perm[800:1400], perm[1400:]
    ks = list(range(1, 62, 4))
    # one neighbour search up to K = 61; the vote of the first K neighbours for each K (odd K,
    # two classes: no tie), as KNeighborsClassifier.predict would give
    search = KNeighborsClassifier(n_neighbors=ks[-1]).fit(X[tr], y[tr])
    lab_tr = y[tr][search.kneighbors(X[tr], return_distance=False)]
    lab_va = y[tr][search.kneighbors(X[va], return_distance=False)]
    train_err = [float(np.mean((lab_tr[:, :k].mean(axis=1) > 0.5) != y[tr])) for k in ks]
    val_err = [float(np.mean((lab_va[:, :k].mean(axis=1) > 0.5) != y[va])) for k in ks]
    k_val = ks[int(np.argmin(val_err))]
    k_train = ks[int(np.argmin(train_err))]
    # the test set is used once per reported model, after the choice
    test_val = 1 - KNeighborsClassifier(n_neighbors=k_val).fit(X[tr], y[tr]).score(X[te], y[te])
    test_train = 1 - KNeighborsClassifier(n_neighbors=k_train).fit(X[tr], y[tr]).score(X[te], y[te])
    res = ExperimentResult()
    res.claim(
        LECTURE,
        "Terminology",
        "the validation set is the one to adjust hyperparameters on: the training error picks "
        "K = 1 (zero training error), and that K does worse on the test set than the K picked "
        "on the validation set",
        {
            "K by training error": k_train,
            "K by validation error": k_val,
            "test error, K by training": test_train,
            "test error, K by validation": test_val,
        },
        bool(k_train == 1 and train_err[0] == 0.0 and test_val < test_train),
        kind="qualitative",
        detail="two moons, noise 0.35, 800 training / 600 validation / 1000 test points, byhand's "
        f"KNeighborsClassifier with K ∈ {ks[0]}…{ks[-1]} step 4; the test set is scored only "
        "for the two chosen models",
        source="lecture",
        quote="**Validation set:** Set used to adjust the model hyperparameters.",
        rule="training error picks K = 1 (0 error) and its test error > the validation-chosen K's",
    )
    res.table(
        "Errors by K",
        ["K", "training error", "validation error"],
        [[k, f"{a:.3f}", f"{b:.3f}"] for k, a, b in zip(ks, train_err, val_err, strict=True)],
    )
    res.note(
        f"Reported once on the test set: K = {k_val} (chosen on validation) has test error "
        f"{test_val:.3f}."
    )
    fig, ax = subplots()
    ax.plot(ks, train_err, "o-", label="training error")
    ax.plot(ks, val_err, "s-", label="validation error")
    ax.axvline(k_val, color="k", ls=":", label=rf"chosen $K = {k_val}$")
    ax.set_xlabel(r"number of neighbours $K$")
    ax.set_ylabel("error rate")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    res.figure(fig, "Training error is minimal at K = 1; the validation error picks K.")
    return res


# --------------------------------------------------------------------------- 114
