"""Plot touches shared by the EE-559 experiments."""

from __future__ import annotations


def label_classes(ax) -> None:
    """Name the ±1 class scatters of :func:`byhand.plotting.decision_regions` "y = ±1"."""
    for coll in ax.collections:
        label = coll.get_label()
        if label.startswith("_"):
            continue
        try:
            coll.set_label(f"y = {int(float(label)):+d}".replace("-", "−"))
        except ValueError:
            pass
