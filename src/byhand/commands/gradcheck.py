"""``byhand gradcheck``: check every module and loss of ``byhand.nn`` by finite differences.

For each module (``Linear``, ``Conv2d``, the poolings, ``Flatten``, the activations, small
``Sequential`` nets) and each loss, on
random float64 inputs kept away from kinks (ReLU at 0, hinge at y·z = margin), the
hand-written ``backward`` is compared with central differences
(f(θ + ε) − f(θ − ε)) / 2ε by :func:`byhand.gradcheck` (CS 577 Lecture 03 (Wang, IIT, 2024),
"Gradients
of a one-hidden-layer network"; EE-559 3.6 (Fleuret, EPFL, 2019)). Prints a table of the
maximum relative errors; exits 1 if any check fails. Any other Module or Loss class of
``byhand.nn`` that can be built without arguments is checked too.
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "gradcheck"
HELP = "check every nn module's and loss's backward against finite differences"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``byhand gradcheck``."""
    p = subparsers.add_parser(
        NAME, help=HELP, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    from byhand.commands._common import nonnegative_float, positive_float

    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument(
        "--eps", type=positive_float, default=1e-6, help="finite-difference step, > 0 (1e-6)"
    )
    p.add_argument(
        "--atol", type=nonnegative_float, default=1e-5, help="absolute tolerance, >= 0 (1e-5)"
    )
    p.add_argument(
        "--rtol", type=nonnegative_float, default=1e-3, help="relative tolerance, >= 0 (1e-3)"
    )
    return p


def _away_from_zero(rng: Any, shape: tuple[int, ...], gap: float = 0.1) -> Any:
    import numpy as np

    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < gap, np.sign(x + 1e-300) * gap + x, x)


def cases(seed: int = 0) -> list[tuple[str, Any, tuple[Any, ...]]]:
    """(name, module or loss, inputs) for every check, on float64 data."""
    import numpy as np

    from byhand import nn

    rng = np.random.default_rng(seed)
    n, d, k = 5, 4, 3
    x = _away_from_zero(rng, (n, d))
    out: list[tuple[str, Any, tuple[Any, ...]]] = [
        ("Linear(4, 3)", nn.Linear(d, k, random_state=seed, dtype=np.float64), (x,)),
        (
            "Linear(4, 3, bias=False)",
            nn.Linear(d, k, bias=False, random_state=seed, dtype=np.float64),
            (x,),
        ),
        (
            "Sequential(Linear, Tanh, Linear, ReLU, Linear)",
            nn.Sequential(
                nn.Linear(d, 6, random_state=seed, dtype=np.float64),
                nn.Tanh(),
                nn.Linear(6, 5, random_state=seed + 1, dtype=np.float64),
                nn.ReLU(),
                nn.Linear(5, 2, random_state=seed + 2, dtype=np.float64),
            ),
            (x,),
        ),
    ]
    img = rng.standard_normal((2, 2, 7, 6))  # (N, C, H, W): odd sizes, two channels
    out += [
        (
            "Conv2d(2, 3, 3, stride=2, padding=1)",
            nn.Conv2d(2, 3, 3, stride=2, padding=1, random_state=seed, dtype=np.float64),
            (img,),
        ),
        (
            "Conv2d(2, 2, 5, padding=2)",
            nn.Conv2d(2, 2, 5, padding=2, random_state=seed, dtype=np.float64),
            (img,),
        ),
        ("MaxPool2d(2)", nn.MaxPool2d(2), (img,)),
        ("MaxPool2d(3, stride=2)", nn.MaxPool2d(3, stride=2), (img,)),
        ("AvgPool2d(2, stride=1)", nn.AvgPool2d(2, stride=1), (img,)),
        (
            "Sequential(Conv2d, MaxPool2d, ReLU, Flatten, Linear)",
            nn.Sequential(
                nn.Conv2d(2, 3, 3, padding=1, random_state=seed, dtype=np.float64),
                nn.MaxPool2d(2),
                nn.ReLU(),
                nn.Flatten(),
                nn.Linear(3 * 3 * 3, 2, random_state=seed + 1, dtype=np.float64),
            ),
            (img,),
        ),
    ]
    # Dropout draws a fresh mask at each forward, so finite differences do not apply; its
    # backward is checked against its mask in the tests.
    built = {nn.Linear, nn.Sequential, nn.Sign, nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, nn.Dropout}
    for name in nn.__all__:
        cls = getattr(nn, name)
        if (
            isinstance(cls, type)
            and issubclass(cls, nn.Module)
            and cls not in built
            and cls is not nn.Module
        ):
            try:
                out.append((f"{name}()", cls(), (x,)))
            except TypeError:
                continue
    z1 = _away_from_zero(rng, (n,))
    y_pm = np.where(rng.random(n) < 0.5, -1, 1)
    # keep y·z away from the hinge's kink at margin 1 and the perceptron's at 0
    z_hinge = np.where(np.abs(y_pm * z1 - 1) < 0.1, z1 + 0.3 * y_pm, z1)
    zk = rng.standard_normal((n, k))
    y_idx = rng.integers(0, k, n)
    losses = [
        ("MSELoss", nn.MSELoss(), (zk, rng.standard_normal((n, k)))),
        ("HingeLoss(margin=1)", nn.HingeLoss(), (z_hinge, y_pm)),
        ("PerceptronLoss", nn.PerceptronLoss(), (z1, y_pm)),
        ("LogisticLoss", nn.LogisticLoss(), (z1, y_pm)),
        ("CrossEntropyLoss", nn.CrossEntropyLoss(), (zk, y_idx)),
    ]
    out.extend(losses)
    known = {type(loss) for _, loss, _ in losses}
    for name in nn.__all__:
        cls = getattr(nn, name)
        if (
            isinstance(cls, type)
            and issubclass(cls, nn.Loss)
            and cls is not nn.Loss
            and cls not in known
        ):
            try:
                out.append((f"{name}()", cls(), (zk, rng.standard_normal((n, k)))))
            except TypeError:
                continue
    return out


def run(args: argparse.Namespace) -> int:
    """Execute ``byhand gradcheck``."""
    from rich.table import Table

    from byhand._gradcheck import GradcheckError, gradcheck
    from byhand.commands._common import console

    t = Table(title=f"gradcheck (float64, eps={args.eps}, atol={args.atol}, rtol={args.rtol})")
    t.add_column("module / loss")
    t.add_column("max relative error", justify="right")
    t.add_column("result")
    failed = 0
    for name, obj, inputs in cases(args.seed):
        try:
            rel = gradcheck(
                obj, *inputs, eps=args.eps, atol=args.atol, rtol=args.rtol, random_state=args.seed
            )
            t.add_row(name, f"{rel:.2e}", "[green]ok[/]")
        except GradcheckError as exc:
            failed += 1
            t.add_row(name, "-", f"[red]FAIL[/] {str(exc).splitlines()[-1].strip()}")
    t.add_row("Sign()", "-", "forward only (derivative 0 almost everywhere)")
    out = console()
    out.print(t)
    out.print(f"{failed} failed" if failed else "all gradients agree with finite differences")
    return 1 if failed else 0
