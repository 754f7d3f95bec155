"""New Galerne Course I experiment (112): claims pass, citations are real, and fail when broken."""

from __future__ import annotations

import numpy as np

from _transcripts import transcript_path
from byhand.experiments import get


def test_xor_network_claims_pass_and_cite() -> None:
    exp = get("xor-network")
    res = exp.func(0, True)
    assert res.claims and res.figures
    assert all(c.passed for c in res.claims), [(c.claim, c.value) for c in res.claims]
    text = transcript_path("galerne-1").read_text(encoding="utf-8")
    assert all(c.slide in text for c in res.claims)
    assert all(s in text for _, s in exp.covers)


def test_xor_network_fails_with_other_weights(monkeypatch) -> None:
    from byhand.experiments import galerne_extra as mod

    monkeypatch.setattr(mod, "W1", np.array([[1.0, -1.0], [1.0, 1.0]]))
    v = [c.verdict for c in get("xor-network").func(0, True).claims]
    assert v == ["failed", "failed"]
