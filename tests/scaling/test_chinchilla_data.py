"""Epoch AI's extracted Chinchilla points (skipped when the CSV is absent; it is never shipped)."""

import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from efttheory.scaling import chinchilla as C

ROOT = Path(__file__).resolve().parents[2]


def _csv():
    env = os.environ.get("EFTTHEORY_CHINCHILLA_CSV")
    for path in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data" / "chinchilla_svg_extracted.csv"]:
        if path.is_file():
            return path
    return None


CSV = _csv()
needs_csv = pytest.mark.skipif(CSV is None, reason="Chinchilla CSV absent: set EFTTHEORY_CHINCHILLA_CSV or "
                               "place it at ../shared/data/chinchilla_svg_extracted.csv")


@pytest.fixture(scope="module")
def points():
    return C.read_chinchilla_csv(CSV)


@needs_csv
def test_read(points):
    assert points.N.size == 245 and points.sha256 == C.CHINCHILLA_CSV_SHA256
    np.testing.assert_allclose(points.C, 6 * points.N * points.D, rtol=1e-12)
    assert C.highest_loss_mask(points.loss, 5).sum() == 240


@needs_csv
def test_huber_sum_refit(points):
    fit = C.fit_chinchilla(points.N, points.D, points.loss, exclude_highest=5)
    p = fit.params
    assert abs(p.E - 1.8172) <= 0.002 and abs(p.alpha - 0.3473) <= 0.001 and abs(p.beta - 0.3672) <= 0.001
    assert abs(p.A - 477.8) <= 5 and abs(p.B - 2143) <= 25
    assert fit.objective_value == pytest.approx(1.018274e-3, rel=1e-6)
    assert abs(fit.tokens_per_parameter(5.88e23) - 18) <= 1.5
    pinned = C.fit_chinchilla(points.N, points.D, points.loss, exclude_highest=5, fixed={"alpha": 1 / 3})
    assert pinned.objective_value / fit.objective_value < 1.01


@needs_csv
def test_all_245_points_fit_at_least_as_well_as_the_epoch_anchor(points):
    # The spec's anchor for exclude_highest=0 [third party], (a, b, e, alpha, beta) from Epoch's
    # notebook, is not reproduced: our optimum is lower (1.8260e-3 vs 1.8561e-3 Huber sum), with
    # alpha 0.3493 vs 0.3529. Pinned here: the fit never ends above the anchor's objective.
    anchor = C.ChinchillaParams.from_log([6.28204169, 9.51269708, 0.63748901, 0.35286066, 0.45596155])

    def huber_sum(params):
        return float(C.huber(C.log_chinchilla_loss(points.N, points.D, params) - np.log(points.loss)).sum())

    fit = C.fit_chinchilla(points.N, points.D, points.loss, exclude_highest=0, starts="multi")
    assert fit.objective_value == pytest.approx(huber_sum(fit.params), rel=1e-9)
    assert fit.objective_value <= huber_sum(anchor)
    assert fit.objective_value == pytest.approx(1.8260e-3, rel=1e-4)
    assert huber_sum(anchor) == pytest.approx(1.8561e-3, rel=1e-4)


@needs_csv
def test_huber_nll_headline(points):
    fit = C.fit_chinchilla(points.N, points.D, points.loss, exclude_highest=5, objective="huber_nll")
    head = C.EPOCH_2024
    for name in C.PARAMETER_NAMES:
        assert abs(getattr(fit.params, name) - getattr(head, name)) <= 0.5 * C.EPOCH_2024_SE[name]
    assert fit.log_scale == pytest.approx(-12.27, abs=0.05)


def test_hash_mismatch_warns(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,Model Size,Training FLOP,loss\n0,1e8,1e18,3.0\n1,2e8,2e18,2.9\n")
    with pytest.warns(UserWarning, match="sha256"):
        pts = C.read_chinchilla_csv(path)
    assert pts.D[0] == pytest.approx(1e18 / 6e8)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="columns"):
            C.read_chinchilla_csv(bad)


def test_malformed_csv_names_the_fault(tmp_path):
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        C.read_chinchilla_csv(3.0)
    cases = {
        "header_only.csv": ("Model Size,Training FLOP,loss\n", "at least one data row"),
        "text_cell.csv": ("Model Size,Training FLOP,loss\n1e8,n/a,3.0\n", "'Training FLOP' .* must hold numbers"),
        "short_row.csv": ("Model Size,Training FLOP,loss\n1e8,1e18\n", "'loss' .* must hold numbers"),
        "negative.csv": ("Model Size,Training FLOP,loss\n-1e8,1e18,3.0\n", "'Model Size' .* positive finite"),
        # these two used to be read silently: loss 2.0 from "2,5", the second 'loss' column
        "decimal_comma.csv": ("Model Size,Training FLOP,loss\n1e9,6e19,2,5\n", "row 1 .* has 4"),
        "repeated.csv": ("Model Size,Training FLOP,loss,loss\n1e9,6e19,2.5,3.5\n", "repeats \\['loss'\\]"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(ValueError, match=message):
                C.read_chinchilla_csv(path)


def test_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfModel Size,Training FLOP,loss\n1e9,6e19,2.5\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pts = C.read_chinchilla_csv(path)
    assert pts.N.tolist() == [1e9] and pts.loss.tolist() == [2.5]
