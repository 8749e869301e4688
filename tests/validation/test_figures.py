"""The shared check-figure layout."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from validation.figures import check_figure  # noqa: E402


def test_check_figure_labels_and_scales():
    fig, ax = check_figure("title", "x", "y", logx=True)
    try:
        assert ax.get_title() == "title"
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
        assert (ax.get_xscale(), ax.get_yscale()) == ("log", "linear")
    finally:
        plt.close(fig)
