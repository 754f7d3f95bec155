"""The exercise grader on bad learner files, the child process, progress and the command.

A learner's file that loops forever, raises, exits, returns the wrong shape, NaN, None or a
string gets a clear verdict, never a traceback from byhand; a file that is not Python is never
run. Tests of the child process (timeouts, crashes, exit) run it for real with short
timeouts; the rest grade in-process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import byhand.exercises as exercises
from byhand.cli import main
from byhand.exercises import _progress
from byhand.exercises._grader import check_file

EX = exercises.get("linear-backward")
GOOD = exercises.reference_solution("linear-backward")


def _write(tmp_path, body: str, name: str = "linear_backward.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _check(path, **kw):
    kw.setdefault("isolate", False)
    return check_file(EX, path, **kw)


def _no_byhand_traceback(result) -> None:
    assert "Traceback" not in result.message
    assert "byhand/exercises" not in result.message


# ----------------------------------------------------------------------- the child process
def test_infinite_loop_times_out_with_a_clear_message(tmp_path):
    path = _write(
        tmp_path,
        """
        def linear_backward(x, W, grad_out):
            print("starting")
            while True:
                pass
        """,
    )
    result = check_file(EX, path, timeout=2.0)
    assert result.verdict == "timeout" and not result.passed
    assert "did not finish within 2 s" in result.message
    assert "loop" in result.message and "--timeout" in result.message
    _no_byhand_traceback(result)


def test_loop_at_import_time_times_out(tmp_path):
    path = _write(tmp_path, "while True:\n    pass\n")
    assert check_file(EX, path, timeout=2.0).verdict == "timeout"


def test_exception_is_reported_as_the_learners_with_file_and_line(tmp_path):
    path = _write(
        tmp_path,
        """
        import numpy as np

        def helper(x):
            return x / 0 if False else 1 // 0

        def linear_backward(x, W, grad_out):
            return helper(x)
        """,
    )
    result = check_file(EX, path, timeout=20.0)
    assert result.verdict == "error" and not result.passed
    assert "ZeroDivisionError" in result.message
    assert "linear_backward.py, line 5" in result.message  # the raising line, in helper
    assert "1 // 0" in result.message
    assert "on random case 1" in result.message
    _no_byhand_traceback(result)


def test_sys_exit_in_the_learners_code_is_reported(tmp_path):
    path = _write(
        tmp_path,
        """
        import sys

        def linear_backward(x, W, grad_out):
            sys.exit(3)
        """,
    )
    result = check_file(EX, path, timeout=20.0)
    assert result.verdict == "error"
    assert "sys.exit(3)" in result.message and "line 5" in result.message


def test_process_killed_from_inside_is_reported(tmp_path):
    path = _write(
        tmp_path,
        """
        import os

        def linear_backward(x, W, grad_out):
            os._exit(7)
        """,
    )
    result = check_file(EX, path, timeout=20.0)
    assert result.verdict == "crashed"
    assert "exit code 7" in result.message


def test_reference_solution_passes_in_the_child_process_and_output_is_kept(tmp_path):
    path = _write(
        tmp_path,
        GOOD.replace(
            "    from byhand import nn\n",
            "    from byhand import nn\n    print('hello from the learner')\n",
        ),
    )
    result = check_file(EX, path, timeout=30.0)
    assert result.passed, result.message
    assert "hello from the learner" in result.output
    assert "gradcheck" in result.message


def test_mistake_named_through_the_child_process(tmp_path):
    m = EX.mistakes[0]
    path = _write(tmp_path, "import numpy as np\n" + m.example)
    result = check_file(EX, path, timeout=30.0)
    assert result.mistake == m.name and m.hint in result.message


# ---------------------------------------------------------------------- verdicts in-process
def test_syntax_error_with_line(tmp_path):
    path = _write(tmp_path, "def linear_backward(x, W, grad_out)\n    return x\n")
    result = _check(path)
    assert result.verdict == "error" and "SyntaxError" in result.message
    assert "line 1" in result.message


def test_wrong_shape(tmp_path):
    path = _write(
        tmp_path,
        """
        def linear_backward(x, W, grad_out):
            return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0, keepdims=True)
        """,
    )
    result = _check(path)
    assert result.verdict == "shape"
    assert "grad_b has the wrong shape" in result.message
    assert "expected (2,), got (1, 2)" in result.message
    assert "reshape it" in result.message  # the values are right


def test_nan_gets_a_clear_verdict(tmp_path):
    path = _write(
        tmp_path,
        """
        import numpy as np

        def linear_backward(x, W, grad_out):
            gx = grad_out @ W.T
            gx[0, 0] = np.nan
            return gx, x.T @ grad_out, grad_out.sum(axis=0)
        """,
    )
    result = _check(path)
    assert result.verdict == "nonfinite"
    assert "grad_x holds 1 NaN or inf" in result.message and "index [0, 0]" in result.message


def test_none_gets_a_clear_verdict(tmp_path):
    path = _write(tmp_path, "def linear_backward(x, W, grad_out):\n    grad_x = grad_out @ W.T\n")
    result = _check(path)
    assert result.verdict == "none" and "forget the return" in result.message


@pytest.mark.parametrize(
    ("body", "verdict", "words"),
    [
        ("return 'grad'", "type", "a tuple of 3 arrays"),
        ("return grad_out @ W.T, x.T @ grad_out", "type", "got a tuple of 2"),
        ("return grad_out @ W.T, 'W', grad_out.sum(axis=0)", "dtype", "grad_W should be a numeric"),
        ("return grad_out @ W.T + 0j, x.T @ grad_out, grad_out.sum(0)", "dtype", "complex"),
    ],
)
def test_wrong_types(tmp_path, body, verdict, words):
    path = _write(tmp_path, f"def linear_backward(x, W, grad_out):\n    {body}\n")
    result = _check(path)
    assert result.verdict == verdict and words in result.message, result.message


def test_first_wrong_entry_reported_with_both_values(tmp_path):
    path = _write(
        tmp_path,
        """
        def linear_backward(x, W, grad_out):
            gW = x.T @ grad_out
            gW[1, 0] += 0.5
            return grad_out @ W.T, gW, grad_out.sum(axis=0)
        """,
    )
    result = _check(path)
    case = EX.cases()[0]
    want = EX.expected(case)[1][1, 0]
    assert result.verdict == "wrong" and result.mistake is None
    assert f"grad_W is wrong on {case.label} at index [1, 0]" in result.message
    assert f"expected {want:.6g}, got {want + 0.5:.6g}" in result.message
    assert "(1 of 6 entries wrong)" in result.message
    assert "byhand exercise hint linear-backward" in result.message


def test_missing_function_names_what_was_found(tmp_path):
    path = _write(tmp_path, "def linear_bakward(x, W, grad_out):\n    return x\n")
    result = _check(path)
    assert result.verdict == "missing"
    assert "no function linear_backward" in result.message and "linear_bakward" in result.message


def test_inputs_are_fresh_copies_for_every_case_and_writing_into_them_is_named(tmp_path):
    """A learner writing into its inputs does not change the next case or the reference (the
    values agree on every case), but it fails: the caller's arrays must stay as they were."""
    path = _write(
        tmp_path,
        """
        def linear_backward(x, W, grad_out):
            gx, gW, gb = grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)
            x[...] = 0; W[...] = 0; grad_out[...] = 0
            return gx, gW, gb
        """,
    )
    result = _check(path)
    assert not result.passed and result.verdict == "inplace"
    assert "changed x and W and grad_out in place on random case 1" in result.message
    assert result.mistake == "changed an input in place"


def test_gradcheck_failure_is_reported(tmp_path):
    """Right on every case but wrong elsewhere: byhand.gradcheck catches it."""
    path = _write(
        tmp_path,
        """
        def linear_backward(x, W, grad_out):
            gx = grad_out @ W.T
            if x.shape == (5, 4):  # the shape gradcheck uses, none of the cases'
                gx = 2 * gx
            return gx, x.T @ grad_out, grad_out.sum(axis=0)
        """,
    )
    result = _check(path)
    assert result.verdict == "gradcheck" and "finite differences" in result.message
    assert "dL/dx" in result.message


# ------------------------------------------------------------------------- files refused
@pytest.mark.parametrize("name", ["linear_backward.txt", "linear_backward.sh", "linear_backward"])
def test_a_file_that_is_not_python_is_never_run(tmp_path, name):
    marker = tmp_path / "ran"
    path = _write(tmp_path, f"open({str(marker)!r}, 'w').write('x')\n" + GOOD, name)
    result = check_file(EX, path, timeout=5.0)
    assert result.verdict == "refused" and "not a Python file" in result.message
    assert not marker.exists()


def test_missing_file_and_folder(tmp_path):
    assert check_file(EX, tmp_path / "nope.py").verdict == "missing"
    assert "byhand exercise start linear-backward" in check_file(EX, tmp_path / "nope.py").message
    assert check_file(EX, tmp_path).verdict == "refused"


def test_a_missing_file_names_the_started_one_instead_of_saying_start(tmp_path, capsys):
    """`check NAME missing.py` once the exercise is started: the file was not found, and the
    started file is named (not "start the exercise")."""
    started = exercises.start("gd-step", tmp_path)
    result = exercises.check("gd-step", tmp_path / "missing.py")
    assert result.verdict == "missing"
    assert f"File not found: {tmp_path / 'missing.py'}" in result.message
    assert f"Your file for gd-step is {started}" in result.message
    assert "byhand exercise start" not in result.message
    # the same from the command, with a notebook started in the working folder
    nb = exercises.start("relu-backward", tmp_path, notebook=True)
    assert main(["exercise", "check", "relu-backward", str(tmp_path / "missing.py")]) == 1
    out = capsys.readouterr().out.replace("\n", " ")
    assert "File not found" in out and nb.name in out and "exercise start" not in out
    # nothing started: say how to start
    other = tmp_path / "other"
    other.mkdir()
    result = exercises.check("lda", other / "missing.py")
    assert "File not found" in result.message
    assert "Start the exercise with: byhand exercise start lda" in result.message


# -------------------------------------------------------------------------------- notebooks
def test_notebook_skeleton_then_solution(tmp_path):
    path = exercises.start("linear-backward", tmp_path, notebook=True)
    assert path.suffix == ".ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4 and [c["cell_type"] for c in nb["cells"]][:2] == ["markdown", "code"]
    result = exercises.check("linear-backward", path, isolate=False)
    assert result.verdict == "todo"
    assert "linear_backward.ipynb [cell 2], line" in result.message
    assert "docstring" not in result.message  # a notebook's statement is its Markdown cell
    assert "docstring" not in "".join(nb["cells"][1]["source"])
    assert "the notebook's first (Markdown) cell" in result.message
    py = exercises.check("linear-backward", exercises.start("linear-backward", tmp_path))
    assert "the docstring at the top of the file" in py.message
    # the learner writes the function in the code cell; the "!byhand ..." cell is skipped
    nb["cells"][1]["source"] = ["%matplotlib inline\n", *GOOD.splitlines(True)]
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert exercises.check("linear-backward", path, isolate=False).passed


# ---------------------------------------------------------------------- the Python API
def test_start_check_hint_and_progress(tmp_path):
    statuses = {st.name: st.status for st in exercises.list_exercises(tmp_path)}
    assert set(statuses.values()) == {"not started"}
    path = exercises.start("gd-step", tmp_path)
    assert path == tmp_path / "gd_step.py"
    assert exercises.list_exercises(tmp_path)[1].status == "started"
    # start again keeps the learner's work
    path.write_text("# my work\n")
    exercises.start("gd-step", tmp_path)
    assert path.read_text() == "# my work\n"
    exercises.start("gd-step", tmp_path, force=True)
    assert "TODO" in path.read_text()
    # check with the default file (the one start wrote), in the folder
    assert exercises.check("gd-step", directory=tmp_path, isolate=False).verdict == "todo"
    path.write_text(exercises.reference_solution("gd-step"))
    result = exercises.check("gd-step", directory=tmp_path, isolate=False)
    assert result.passed
    record = _progress.load(tmp_path)["gd-step"]
    assert record["status"] == "passed" and record["checks"] == 2
    # a later failing check keeps "passed" (resume: what was solved stays solved)
    path.write_text("def gd_step(theta, X, y, lr):\n    return theta\n")
    assert not exercises.check("gd-step", path, isolate=False).passed
    assert exercises.list_exercises(tmp_path)[1].status == "passed"


def test_hints_one_at_a_time_and_the_last_repeats(tmp_path):
    ex = exercises.get("gd-step")
    shown = [exercises.hint("gd-step", tmp_path) for _ in range(len(ex.hints) + 1)]
    for k, h in enumerate(ex.hints):
        assert shown[k].startswith(h) and f"hint {k + 1} of {len(ex.hints)}" in shown[k]
    assert shown[-1] == shown[-2] and "the last one" in shown[-1]


def test_bad_names_and_arguments():
    with pytest.raises(ValueError, match="did you mean gd-step"):
        exercises.get("gd-stepp")
    with pytest.raises(TypeError, match="str"):
        exercises.get(3)
    with pytest.raises(ValueError, match="timeout"):
        exercises.check("gd-step", "x.py", timeout=0)
    with pytest.raises(ValueError, match="does not exist"):
        exercises.start("gd-step", "/nonexistent/folder")


def test_corrupt_progress_file_says_how_to_fix(tmp_path):
    (tmp_path / _progress.FILE).write_text("{not json")
    with pytest.raises(ValueError, match="delete the file"):
        exercises.list_exercises(tmp_path)
    (tmp_path / _progress.FILE).write_text("[1, 2]")
    with pytest.raises(ValueError, match="not byhand's exercise progress"):
        exercises.list_exercises(tmp_path)


def test_exercises_import_lazily_as_a_subpackage():
    code = "import byhand, byhand.exercises as e; print(len(e.list_exercises()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) >= 15


# ----------------------------------------------------------------------------- the command
def test_command_list_start_check_hint(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["exercise", "list", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    names = [st.name for st in exercises.list_exercises()]
    positions = [out.index(f" {n} ") for n in names]
    assert positions == sorted(positions)  # lecture order
    assert "CS 577 Lecture 01 (Wang, IIT, 2024), 'Linear regression (1-dimensional samples)'" in out
    assert main(["exercise", "start", "normal-equations", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "θ* = (X̃ᵀX̃)⁻¹ X̃ᵀ y" in out and "normal_equations.py" in out
    rc = main(["exercise", "check", "normal-equations", "--dir", str(tmp_path), "--timeout", "30"])
    assert rc == 1 and "not written yet" in capsys.readouterr().out
    assert main(["exercise", "hint", "normal-equations", "--dir", str(tmp_path)]) == 0
    assert "column of ones" in capsys.readouterr().out
    (tmp_path / "normal_equations.py").write_text(exercises.reference_solution("normal-equations"))
    rc = main(["exercise", "check", "normal-equations", "--dir", str(tmp_path), "--timeout", "30"])
    assert rc == 0 and "Passed" in capsys.readouterr().out
    assert main(["exercise", "list", "--dir", str(tmp_path)]) == 0
    assert "passed" in capsys.readouterr().out


def test_command_usage_errors(tmp_path, capsys):
    assert main(["exercise", "start", "no-such-thing", "--dir", str(tmp_path)]) == 2
    assert "no exercise 'no-such-thing'" in capsys.readouterr().err
    assert main(["exercise", "check", "gd-step", "--timeout", "0"]) == 2
    assert main(["exercise", "check", "gd-step", "--dir", str(tmp_path / "no")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["exercise"]) == 2
    assert main(["exercise", "check", "gd-step", str(tmp_path / "x.txt")]) == 1
    assert "not a Python file" in capsys.readouterr().out


def test_command_help_explains_the_workflow(capsys):
    assert main(["exercise", "--help"]) == 0
    out = capsys.readouterr().out
    for action in ("list", "start", "check", "hint", "show"):
        assert f"byhand exercise {action}" in out
    assert main(["exercise", "show", "maxpool-backward"]) == 0
    out = capsys.readouterr().out
    assert "first maximal entry" in out and "Neural networks for image classification" in out
    assert "inputs are left unchanged" in out


def test_values_with_brackets_are_printed_verbatim(tmp_path, capsys):
    """Rich markup must not eat '[0, 0]' or '[red]' in a verdict or in the learner's output."""
    path = _write(
        tmp_path,
        "def linear_backward(x, W, grad_out):\n    print('[red]x[/red]')\n    return x, x, x\n",
    )
    expected = _check(path).message.splitlines()[0]
    assert "[" in expected
    main(["exercise", "check", "linear-backward", str(path), "--timeout", "30"])
    out = capsys.readouterr().out
    assert expected in out.replace("\n", " ") or expected in out
    assert "[red]x[/red]" in out


def test_timeout_stops_the_processes_the_learner_started(tmp_path):
    import os
    import time

    pidfile = tmp_path / "pid"
    path = _write(
        tmp_path,
        f"""
        import subprocess, sys

        def linear_backward(x, W, grad_out):
            p = subprocess.Popen(
                [sys.executable, "-c", "import time; time.sleep(60)"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            open({str(pidfile)!r}, "w").write(str(p.pid))
            while True:
                pass
        """,
    )
    assert check_file(EX, path, timeout=2.0).verdict == "timeout"
    pid = int(pidfile.read_text())

    def alive() -> bool:
        try:
            state = open(f"/proc/{pid}/status").read()
        except FileNotFoundError:
            return False
        return "\\nState:\\tZ" not in state

    deadline = time.monotonic() + 5
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive()
    assert os.path.exists(pidfile)


def test_a_learner_file_named_like_a_library_does_not_replace_it(tmp_path):
    (tmp_path / "numpy.py").write_text("raise ImportError('the learner numpy.py was imported')\n")
    path = _write(tmp_path, GOOD)
    result = check_file(EX, path, timeout=30.0)
    assert result.passed, result.message


def test_a_shape_error_in_the_learners_product_points_at_a_transpose(tmp_path):
    path = _write(
        tmp_path,
        """
        def linear_backward(x, W, grad_out):
            return grad_out @ W, x.T @ grad_out, grad_out.sum(axis=0)
        """,
    )
    result = _check(path)
    assert result.verdict == "error" and "line 3" in result.message
    assert "x (4, 3), W (3, 2), grad_out (4, 2)" in result.message
    assert "missing (or extra) transpose" in result.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("linear_backward.ipynb", b"{not json"),
        ("linear_backward.ipynb", b"[1, 2]"),
        ("linear_backward.py", "def linear_backward(x, W, g):\n    return 'é'\n".encode("latin-1")),
    ],
)
def test_an_unreadable_file_gets_a_clear_verdict(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    result = _check(path)
    assert result.verdict == "refused" and "cannot read your file" in result.message
    _no_byhand_traceback(result)


def test_two_mistakes_the_first_failing_case_names_its_own(tmp_path):
    """Missing 1/N and an overflow together: no single mistake explains every failing case,
    so the grader names the one the first failing case shows, and says there is more."""
    ex = exercises.get("softmax-cross-entropy")
    path = tmp_path / "softmax_cross_entropy.py"
    path.write_text(
        textwrap.dedent(
            """
            import numpy as np

            def softmax_cross_entropy(z, y):
                p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
                n = len(y)
                g = p.copy()
                g[range(n), y] -= 1
                return -np.log(p[range(n), y]).mean(), g
            """
        )
    )
    result = check_file(ex, path, isolate=False)
    assert result.mistake == "missing 1/N" and "fail in another way too" in result.message
    assert result.case == ex.cases()[0].label
    # fixed the 1/N: the overflow is what is left, and it explains every failing case
    path.write_text(path.read_text().replace(".mean(), g\n", ".mean(), g / n\n"))
    result = check_file(ex, path, isolate=False)
    assert result.mistake == "overflow" and "another way" not in result.message
    assert result.verdict == "nonfinite" and "at index []" not in result.message


def test_a_verdict_is_given_even_when_progress_cannot_be_saved(tmp_path):
    (tmp_path / _progress.FILE).write_text("{not json")
    path = _write(tmp_path, GOOD)
    result = exercises.check("linear-backward", path, isolate=False)
    assert result.passed and "Progress not saved" in result.message


# ------------------------------------------------------------- inputs changed in place
def test_gd_step_changing_theta_in_place_is_named_with_the_argument(tmp_path):
    """The learner's report: `theta -= lr*grad; return theta` gave the right numbers and passed
    although the statement says not to change theta in place."""
    ex = exercises.get("gd-step")
    path = tmp_path / "gd_step.py"
    path.write_text(
        "import numpy as np\n\n"
        "def gd_step(theta, X, y, lr):\n"
        "    Xt = np.column_stack([X, np.ones(len(X))])\n"
        "    theta -= lr * 2 * Xt.T @ (Xt @ theta - y) / len(y)\n"
        "    return theta\n"
    )
    for result in (check_file(ex, path, isolate=False), check_file(ex, path, timeout=30.0)):
        assert not result.passed and result.verdict == "inplace", result.message
        assert result.mistake == "changed an input in place"
        assert "you changed theta in place on the lecture's example from θ = [0, 0]" in (
            result.message
        )
        # θ_new = 0.05 · (2/3) · [11, 6] = [0.366667, 0.2]: the entry, before and after
        assert "theta[0] was 0, is now 0.366667" in result.message
        assert "(2 of 2 entries changed)" in result.message
        assert "theta_new = theta - lr * grad" in result.message
    path.write_text(path.read_text().replace("theta -= ", "theta = theta - "))
    assert check_file(ex, path, isolate=False).passed


def _wrapped(ex, body: str) -> str:
    """A solution calling byhand's reference on copies of the arguments, then ``body``."""
    ref = ex.reference_solution().replace(f"def {ex.function}(", "def _solution(", 1)
    return (
        f"{ref}\n\ndef {ex.function}(*args):\n"
        "    out = _solution(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])\n"
        f"{textwrap.indent(textwrap.dedent(body), '    ')}"
    )


@pytest.mark.parametrize("name", [e.name for e in exercises.list_exercises()])
def test_every_exercise_rejects_an_input_changed_in_place(tmp_path, name):
    ex = exercises.get(name)
    src = _wrapped(
        ex,
        """
        k = next(i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f")
        args[k][...] += 1.0
        return out
        """,
    )
    path = tmp_path / ex.filename
    path.write_text(src)
    result = check_file(ex, path, isolate=False)
    k = next(
        i
        for i, a in enumerate(ex.cases()[0].args)
        if isinstance(a, np.ndarray) and a.dtype.kind == "f"
    )
    arg = ex.params.split(", ")[k]
    assert result.verdict == "inplace" and not result.passed, result.message
    assert f"you changed {arg} in place on {ex.cases()[0].label}" in result.message
    assert result.mistake == "changed an input in place"


def test_a_wrong_answer_also_notes_an_input_changed_in_place(tmp_path):
    ex = exercises.get("gd-step")
    path = tmp_path / "gd_step.py"
    path.write_text(
        "import numpy as np\n\n"
        "def gd_step(theta, X, y, lr):\n"
        "    Xt = np.column_stack([X, np.ones(len(X))])\n"
        "    theta -= lr * Xt.T @ (Xt @ theta - y) / len(y)\n"
        "    return theta\n"
    )
    result = check_file(ex, path, isolate=False)
    assert result.mistake == "factor of 2"
    assert "(Also: your code changed theta in place" in result.message


# ----------------------------------------------------------------- generic order slips
def test_outputs_in_the_wrong_order_are_named(tmp_path):
    ex = exercises.get("one-hidden-layer-gradients")
    path = tmp_path / ex.filename
    path.write_text(_wrapped(ex, "return out[2], out[1], out[0], out[3]\n"))
    result = check_file(ex, path, isolate=False)
    assert result.mistake == "outputs in the wrong order", result.message
    assert "yours come as (grad_w2, grad_b1, grad_W1, grad_b2)" in result.message
    assert "return (grad_W1, grad_b1, grad_w2, grad_b2), in that order" in result.message
    assert "another way" not in result.message  # it explains every case
    # shapes differ between the outputs: still recognised (linear-backward)
    ex = exercises.get("linear-backward")
    path = tmp_path / ex.filename
    path.write_text(_wrapped(ex, "return out[0], out[2], out[1]\n"))
    result = check_file(ex, path, isolate=False)
    assert result.mistake == "outputs in the wrong order", result.message


def test_entries_in_reverse_or_shifted_order_are_named(tmp_path):
    ex = exercises.get("gd-step")
    path = tmp_path / ex.filename
    path.write_text(_wrapped(ex, "return out[::-1]\n"))
    result = check_file(ex, path, isolate=False)
    assert result.mistake == "entries in reverse order", result.message
    assert "bias first" in result.message and "another way" not in result.message
    path.write_text(_wrapped(ex, "return np.roll(out, 1)\n"))  # θ = [b, w1, w2, …]
    result = check_file(ex, path, isolate=False)
    # on d = 1 a shift is a reversal: the first case names that, the others the shift
    assert result.mistake in ("entries in reverse order", "entries shifted by one")
    ex = exercises.get("normal-equations")
    path = tmp_path / ex.filename
    path.write_text(_wrapped(ex, "return np.roll(out, -1)\n"))
    result = check_file(ex, path, isolate=False)
    assert result.mistake == "entries shifted by one", result.message
    assert "the first one last" in result.message


def test_gd_step_with_the_bias_column_first_is_named():
    ex = exercises.get("gd-step")
    m = next(m for m in ex.mistakes if m.name == "bias first")
    assert "np.ones(len(X)), X]" in m.example
    # on the lecture's example from θ = 0 it gives θ's entries in reverse order
    pred = m.predict(ex.cases()[0].args, ex.expected(ex.cases()[0]))
    np.testing.assert_allclose(pred, ex.expected(ex.cases()[0])[::-1])


# ------------------------------------------------------------- the exception's code line
def test_the_learners_code_line_is_on_its_own_line_not_joined_to_the_case(tmp_path):
    ex = exercises.get("gd-step")
    path = tmp_path / "gd_step.py"
    path.write_text("def gd_step(theta, X, y, lr):\n    return 1/0\n")
    result = check_file(ex, path, isolate=False)
    lines = result.message.splitlines()
    code = [ln for ln in lines if "return 1/0" in ln]
    assert code == ["    return 1/0"], result.message
    i = lines.index("    return 1/0")
    assert lines[i - 1] == "In your code, at gd_step.py, line 2:"
    assert lines[0] == (
        "Your code raised ZeroDivisionError on the lecture's example from θ = [0, 0] with "
        "ε = 0.05: division by zero"
    )
    # a load-time error: the same layout
    path.write_text("import numpy as np\nx = undefined_name\n")
    lines = check_file(ex, path, isolate=False).message.splitlines()
    assert lines[1:3] == ["In your code, at gd_step.py, line 2:", "    x = undefined_name"]
