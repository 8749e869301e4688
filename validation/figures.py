"""The one figure layout every validation check draws on: theory curve against experiment points."""

from __future__ import annotations

__all__ = ["check_figure"]


def check_figure(title: str, xlabel: str, ylabel: str, *, logx: bool = False, logy: bool = False):
    """A titled single-axes figure with labelled, optionally logarithmic axes and a light grid.

    Returns ``(fig, ax)``. matplotlib is imported here so that listing checks stays cheap.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.25)
    return fig, ax
