"""The README's quickstart runs as written; .ci/run runs exactly the README's test command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_quickstart_runs_as_written(tmp_path):
    blocks = _python_blocks()
    assert blocks, "README has no python quickstart"
    outputs = []
    for code in blocks:
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert "XOR accuracy: 1.0" in outputs[0]
    assert "XOR with degree-2 features: 1.0" in outputs[1]


def test_ci_runs_exactly_the_readme_test_command():
    lines = README.splitlines()
    command = lines[lines.index("# run the tests") + 1]
    assert "pytest" in command and "python3 -m venv .venv" in command
    ci = (ROOT / ".ci" / "run").read_text()
    # .ci/run takes the line under the same marker, so the two cannot drift apart
    assert "grep -A1 '^# run the tests$' README.md" in ci
    assert "rm -rf .venv" in ci and "eval" in ci


def test_readme_main_job_command_names_reproduce():
    lines = README.splitlines()
    command = lines[lines.index("# run the main job") + 1]
    assert command.startswith("python3 -m venv .venv") and "byhand reproduce" in command


def _commands(prefix: str = "byhand ") -> list[list[str]]:
    """The ``byhand …`` command lines of the README's bash blocks, as argument lists."""
    import shlex

    out = []
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith(prefix):
                out.append(shlex.split(line)[1:])
    return out


def test_every_readme_command_parses_as_written():
    from byhand.cli import build_parser

    commands = _commands()
    assert {c[0] for c in commands} >= {"train", "evaluate", "sweep", "reproduce", "gradcheck"}
    parser, errors = build_parser()
    assert not errors
    for argv in commands:
        args, extra = parser.parse_known_args(argv)
        assert not extra and args.command == argv[0], argv


def test_readme_tells_how_to_use_the_environment_in_a_new_shell():
    assert "source .venv/bin/activate" in README and ".venv/bin/byhand" in README
    lines = README.splitlines()
    assert lines[lines.index("# run the tests") + 1].endswith("python -m pytest -n auto")


def test_readme_moons_example_trains_a_curved_boundary(tmp_path):
    """The README's first CLI example converges (no warning) to an accuracy a linear model
    cannot reach on two moons (the oracle: scikit-learn's logistic regression, same data)."""
    from sklearn.linear_model import LogisticRegression

    from byhand.datasets import make_moons

    train, evaluate = _commands()[:2]
    assert train[:2] == ["train", "mlp-classifier"] and evaluate[0] == "evaluate"
    res = subprocess.run(
        [sys.executable, "-m", "byhand", *train],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "warning" not in res.stderr.lower(), res.stderr
    val = float(re.search(r"accuracy\s*│\s*[\d.]+\s*│\s*([\d.]+)", res.stdout).group(1))
    res = subprocess.run(
        [sys.executable, "-m", "byhand", *evaluate],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    test = float(re.search(r"accuracy\s*│\s*([\d.]+)", res.stdout).group(1))
    assert (tmp_path / "moons.png").stat().st_size > 0
    X, y = make_moons(500, noise=0.2, random_state=0)
    Xt, yt = make_moons(500, noise=0.2, random_state=1)
    linear = LogisticRegression().fit(X, y).score(Xt, yt)
    assert linear < 0.9  # two moons are not linearly separable ...
    assert val >= 0.93 and test >= max(0.93, linear + 0.05)  # ... and the net bends


def test_readme_and_docs_stand_alone():
    docs = [README, *(p.read_text() for p in (ROOT / "docs").glob("*.md"))]
    for text in docs:
        assert "../shared" not in text and "shared/" not in text
    assert (ROOT / "docs" / "architecture.md").is_file()
    assert "docs/architecture.md" in README


def test_readme_names_the_five_lectures_from_the_catalogue():
    from byhand.lectures import LECTURES

    for lec in LECTURES.values():
        row = (
            f"| {lec.course} | {lec.number} | {lec.title} | {lec.lecturer} | "
            f"{lec.institution} | {lec.year} | {lec.published} |"
        )
        assert row in README, row
