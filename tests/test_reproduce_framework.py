"""The reproduce framework: registry, runner, results.json, exit codes, MNIST skip, --jobs, CLI."""

from __future__ import annotations

import argparse
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from byhand.commands import reproduce as command
from byhand.experiments import Claim, ExperimentResult, experiment, registry
from byhand.experiments._registry import jsonable, unregister
from byhand.experiments.runner import reproduce, run_experiment, select

LECTURE = "ee559-3"
CORE = {
    "linear-collapse",
    "max-likelihood",
    "softmax-gradient",
    "tlu-logic",
    "universal-approximation",
    "activations",
    "quadratic-gd",
}
CLAIM_KEYS = {"experiment", "lecture", "slide", "claim", "value", "kind", "passed"}


@pytest.fixture
def dummies():
    """Throw-away experiments: two passing claims, a failing claim, a raise, an MNIST one."""

    @experiment("t-pass", title="passes", lecture=LECTURE, number=1001)
    def passing(seed: int, quick: bool) -> ExperimentResult:
        res = ExperimentResult()
        x = float(np.random.default_rng(seed).random())
        res.claim(LECTURE, "3.1. The perceptron", "x = x", x, x == x, source="byhand", reason="t")
        res.claim(
            LECTURE,
            "3.1. The perceptron",
            "x < 1",
            [x, 1.0],
            x < 1,
            kind="numeric",
            source="derived",
            derived_from="t",
        )
        return res

    @experiment("t-fail", title="fails", lecture=LECTURE, number=1002)
    def failing(seed: int, quick: bool) -> ExperimentResult:
        warnings.warn("a deliberate warning", UserWarning, stacklevel=1)
        res = ExperimentResult()
        res.claim(
            LECTURE,
            "3.1. The perceptron",
            "2 + 2 = 5",
            2 + 2,
            2 + 2 == 5,
            kind="numeric",
            source="lecture",
            quote="t",
        )
        return res

    @experiment("t-raise", title="raises", lecture=LECTURE, number=1003)
    def raising(seed: int, quick: bool) -> ExperimentResult:
        raise ZeroDivisionError("deliberate")

    @experiment("t-mnist", title="needs MNIST", lecture=LECTURE, number=1004, needs_mnist=True)
    def mnist(seed: int, quick: bool) -> ExperimentResult:
        res = ExperimentResult()
        res.claim(
            LECTURE, "3.2", "ran", True, True, kind="qualitative", source="byhand", reason="t"
        )
        return res

    yield
    for name in ("t-pass", "t-fail", "t-raise", "t-mnist"):
        unregister(name)


def _run(tmp_path: Path, only: list[str], **kw) -> tuple[int, dict, str]:
    code = reproduce(only=only, out=tmp_path, quick=True, **kw)
    doc = json.loads((tmp_path / "results.json").read_text())
    page = (tmp_path / "index.html").read_text()
    return code, doc, page


def test_registry_discovers_the_core_experiments():
    from byhand.lectures import LECTURES

    reg = registry()
    assert CORE <= set(reg)
    for name in CORE:
        exp = reg[name]
        assert exp.module.split(".")[2] in (
            "cs577_l01",
            "cs577_l03",
            "cs577_l04",
            "ee559",
            "galerne",
        )
        assert exp.lecture in LECTURES, exp.lecture
        assert exp.number > 0 and exp.title


def test_every_experiment_cites_a_transcript_that_exists(transcripts):
    for exp in registry().values():
        assert transcripts(exp.lecture).is_file(), exp.lecture


def test_results_json_schema_and_claim_count(tmp_path, dummies):
    code, doc, page = _run(tmp_path, ["t-pass", "t-fail"])
    assert code == 1
    assert set(doc) >= {"claims", "experiments", "byhand_version"}
    assert [e["name"] for e in doc["experiments"]] == ["t-pass", "t-fail"]
    assert len(doc["claims"]) == sum(e["claims_total"] for e in doc["experiments"]) == 3
    for c in doc["claims"]:
        assert CLAIM_KEYS <= set(c)
        assert c["kind"] in ("exact", "numeric", "qualitative")
        assert isinstance(c["passed"], bool)
    assert [c["passed"] for c in doc["claims"]] == [True, True, False]
    assert doc["claims"][0]["experiment"] == "t-pass"
    assert "2 + 2 = 5" in page and "✗" in page and "✓" in page
    assert doc["experiments"][1]["warnings"] == ["UserWarning: a deliberate warning"]
    assert "a deliberate warning" in page
    assert "<script" not in page and 'src="http' not in page and 'href="http' not in page


def test_exit_code_zero_only_when_every_claim_passes(tmp_path, dummies):
    assert _run(tmp_path / "a", ["t-pass"])[0] == 0
    assert _run(tmp_path / "b", ["t-pass", "t-fail"])[0] == 1


def test_raising_experiment_is_reported_not_fatal(tmp_path, dummies):
    code, doc, page = _run(tmp_path, ["t-raise", "t-pass"])
    assert code == 1
    status = {e["name"]: e["status"] for e in doc["experiments"]}
    assert status["t-raise"].startswith("error: ZeroDivisionError: deliberate")
    assert status["t-pass"] == "ok"
    assert "deliberate" in page and "traceback" in page


def test_missing_mnist_is_a_visible_skip(tmp_path, dummies, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("BYHAND_DATA", str(empty))
    code, doc, page = _run(tmp_path / "out", ["t-mnist", "t-pass"])
    assert code == 0  # skipped is not a failure
    (exp,) = [e for e in doc["experiments"] if e["name"] == "t-mnist"]
    assert exp["status"].startswith("skipped: MNIST not found")
    assert "skipped: MNIST not found" in page
    assert all(c["experiment"] != "t-mnist" for c in doc["claims"])


def test_mnist_experiment_runs_when_mnist_is_there(dummies, mnist_home, monkeypatch):
    monkeypatch.setenv("BYHAND_DATA", str(mnist_home))
    assert run_experiment("t-mnist")["status"] == "ok"


def test_jobs_2_gives_the_same_claims_as_jobs_1(tmp_path):
    names = ["tlu-logic", "softmax-gradient"]
    one = _run(tmp_path / "one", names, jobs=1, seed=3)[1]
    two = _run(tmp_path / "two", names, jobs=2, seed=3)[1]
    assert one["claims"] == two["claims"]
    assert len(one["claims"]) > 0


def test_unknown_name_lists_valid_names(tmp_path):
    with pytest.raises(ValueError, match=r"valid names: .*tlu-logic"):
        select(["no-such-experiment"])
    with pytest.raises(ValueError, match="jobs"):
        reproduce(only=["tlu-logic"], out=tmp_path, jobs=0)


def test_command_line_parser_and_run(tmp_path, capsys, dummies):
    parser = argparse.ArgumentParser(prog="byhand")
    sub = parser.add_subparsers(dest="command")
    command.add_parser(sub)
    args = parser.parse_args(["reproduce", "--list"])
    assert command.run(args) == 0
    assert "tlu-logic" in capsys.readouterr().out
    args = parser.parse_args(["reproduce", "--only", "nope"])
    assert command.run(args) == 2
    args = parser.parse_args(
        ["reproduce", "--only", "t-pass", "--out", str(tmp_path), "--quick", "--seed", "5"]
    )
    assert (args.jobs, args.seed, args.quick) == (1, 5, True)
    assert command.run(args) == 0
    assert json.loads((tmp_path / "results.json").read_text())["seed"] == 5


def test_claim_validation_and_json_values():
    with pytest.raises(ValueError, match="kind"):
        Claim(LECTURE, "s", "c", 1.0, "approximate", True, source="byhand", reason="t")
    with pytest.raises(TypeError, match="passed"):
        Claim(LECTURE, "s", "c", 1.0, "exact", "yes", source="byhand", reason="t")
    c = Claim(
        LECTURE,
        "s",
        "c",
        np.array([1.5, np.nan]),
        "exact",
        np.bool_(True),
        source="byhand",
        reason="t",
    )
    assert c.value == [1.5, "nan"] and c.passed is True
    assert jsonable({"a": np.int64(3), "b": (np.float32(0.5), math.inf)}) == {
        "a": 3,
        "b": [0.5, "inf"],
    }
    with pytest.raises(TypeError, match="JSON"):
        jsonable(object())
    with pytest.raises(ValueError, match="name"):
        experiment("two words", title="t", lecture=LECTURE)


def test_plotting_helpers_draw_regions_contours_and_curves(rng):
    from sklearn.linear_model import LogisticRegression

    from byhand import plotting

    X = np.vstack([rng.normal(-1.5, 0.6, (30, 2)), rng.normal(1.5, 0.6, (30, 2))])
    y = np.repeat([0, 1], 30)
    model = LogisticRegression().fit(X, y)
    fig, axes = plotting.subplots(1, 3)
    ax = plotting.decision_regions(model, X, y, axes[0], resolution=50, title="regions")
    assert ax.get_title() == "regions"
    assert len(ax.collections) >= 3  # filled regions, boundary, the two classes' points
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plotting.decision_regions(model, rng.normal(size=(5, 3)), y[:5])

    def quad(theta):
        return float(theta @ theta)

    path = np.array([[1.0, 1.0], [0.5, 0.5], [0.25, 0.25]])
    ax = plotting.loss_contours(quad, (-1, 1), (-1, 1), {"gd": path}, axes[1], minimum=(0, 0))
    (line,) = [ln for ln in ax.lines if ln.get_label() == "gd"]
    np.testing.assert_array_equal(line.get_xydata(), path)
    ax = plotting.learning_curves({"a": [3, 2, 1], "b": [1, 2]}, axes[2], log=True)
    assert [len(ln.get_xdata()) for ln in ax.lines] == [3, 2] and ax.get_yscale() == "log"
    from byhand.experiments.runner import _png

    assert _png(fig).startswith("iVBOR")  # base64 of the PNG signature


def test_results_json_counts_reproductions_derivations_observations_apart(tmp_path, dummies):
    code, doc, _ = _run(tmp_path, ["t-pass", "t-fail"])
    for c in doc["claims"]:
        assert {"category", "lecture_value", "rule"} <= set(c)
        assert c["category"] in ("reproduction", "derivation", "observation")
        assert c["rule"].strip()
    # t-pass: an observation (source byhand) and a derivation (derived); t-fail: a reproduction
    assert [c["category"] for c in doc["claims"]] == ["observation", "derivation", "reproduction"]
    counts = doc["counts"]
    assert counts == doc["summary"]["counts"]
    assert counts["reproduction"] == {"total": 1, "reproduced": 0, "differs": 0, "failed": 1}
    assert counts["derivation"] == {"total": 1, "reproduced": 1, "differs": 0, "failed": 0}
    assert counts["observation"] == {"total": 1, "reproduced": 1, "differs": 0, "failed": 0}
    assert code == 1  # a failed reproduction fails the run
    # the lecture's value of a lecture claim defaults to its target, else to its quote
    assert doc["claims"][2]["lecture_value"] == "t"  # no target given: the quote
    assert doc["claims"][0]["lecture_value"] is None  # byhand's observation: no lecture value
    c = Claim(LECTURE, "s", "c", 3, "numeric", True, target=3, source="lecture", quote="q")
    assert c.lecture_value == 3 and "3" in c.rule


def test_claim_category_is_validated_and_may_differ_from_the_source():
    kw = {"source": "derived", "derived_from": "chain rule"}
    assert Claim(LECTURE, "s", "c", 1.0, "exact", True, **kw).category == "derivation"
    c = Claim(LECTURE, "s", "c", 1.0, "exact", True, category="reproduction", **kw)
    assert c.category == "reproduction" and c.to_dict()["category"] == "reproduction"
    with pytest.raises(ValueError, match="category must be one of"):
        Claim(LECTURE, "s", "c", 1.0, "exact", True, category="proof", **kw)
    c = Claim(LECTURE, "s", "c", 1.0, "exact", True, rule="|x − 1| ≤ 1e-12", **kw)
    assert c.to_dict()["rule"] == "|x − 1| ≤ 1e-12"


def test_every_registered_claim_states_category_and_rule():
    """A cheap sample of the real experiments: every claim carries the three report fields."""
    for name in ("tlu-logic", "gd-step-sizes", "perceptron-criterion", "sgd-m1-cost"):
        for c in registry()[name].func(0, True).claims:
            d = c.to_dict()
            assert d["category"] in ("reproduction", "derivation", "observation")
            assert d["rule"].strip()
            if d["source"] == "byhand":
                assert d["category"] == "observation", d["claim"]


def test_a_timed_claim_is_marked_in_the_record_and_still_fails_the_run():
    from byhand.experiments import ExperimentResult
    from byhand.experiments.runner import exit_code

    res = ExperimentResult()
    c = res.claim(
        "ee559-3",
        "3.6. Back-propagation",
        "a wall-clock ratio",
        3.0,
        False,
        kind="numeric",
        target=2.0,
        source="byhand",
        reason="test",
        timed=True,
    )
    d = c.to_dict()
    assert d["timed"] is True and d["verdict"] == "failed"
    record = {"name": "t", "status": "ok", "claims": [d]}
    assert exit_code([record]) == 1  # the run reports it; only the tests look past it
