"""A sweep on a real Dask cluster: a scheduler and two single-threaded workers started on
127.0.0.1 by the test, shut down after. The oracle is the serial run: same rows, same scores.
Nothing is installed here: Dask comes with the ``dev`` extra."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

from distributed import Client, get_task_stream  # noqa: E402 - a dev dependency, no skip


def _spawn(args: list[str], log: Path) -> subprocess.Popen:
    fh = open(log, "w")
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *args],
        stdout=fh,
        stderr=fh,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path):
    """(address, client) of a scheduler + 2 workers (--nthreads 1) on 127.0.0.1."""
    sched_file = tmp_path / "scheduler.json"
    procs = [
        _spawn(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
                "--idle-timeout",
                "600",
            ],
            tmp_path / "scheduler.log",
        )
    ]
    client = None
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() or not sched_file.read_text().strip():
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start in 60 s"
            time.sleep(0.1)
        time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for i in range(2):
            procs.append(
                _spawn(
                    [
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                        "--death-timeout",
                        "60",
                        "--name",
                        f"w{i}",
                    ],
                    tmp_path / f"worker{i}.log",
                )
            )
        client = Client(address, timeout="30s")
        client.wait_for_workers(2, timeout=90)
        yield address, client
    finally:
        if client is not None:
            client.close(timeout=10)
        _stop(procs)
        assert all(p.poll() is not None for p in procs)


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return [{k: v for k, v in row.items() if k != "fit_time"} for row in csv.DictReader(fh)]


def test_sweep_on_a_dask_cluster_equals_the_serial_run(cluster, tmp_path):
    address, client = cluster
    args = [
        "sweep",
        "logistic-regression",
        "--data",
        "moons:300",
        "--grid",
        "alpha=0,0.01,0.1",
        "--grid",
        "solver=newton,sgd",
        "--param",
        "max_iter=10",
        "--repeat",
        "2",
    ]
    env = {**os.environ, "COLUMNS": "200"}
    with get_task_stream(client) as stream:
        res = subprocess.run(
            [
                sys.executable,
                "-m",
                "byhand",
                *args,
                "--scheduler",
                address,
                "--out",
                str(tmp_path / "dask"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
    assert res.returncode == 0, res.stderr
    assert address in res.stdout
    ran = [t for t in stream.data if "run_point" in str(t.get("key", ""))]
    assert ran, "no sweep task ran on the cluster"
    assert {t["worker"] for t in ran} <= set(client.scheduler_info()["workers"])

    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "byhand",
            *args,
            "--scheduler",
            "serial",
            "--out",
            str(tmp_path / "serial"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert res.returncode == 0, res.stderr
    on_dask, serial = (
        _read(tmp_path / "dask" / "results.csv"),
        _read(tmp_path / "serial" / "results.csv"),
    )
    assert len(serial) == 3 * 2 * 2
    assert on_dask == serial
