"""Bad input to efttheory.scaling.lottery raises clear errors that name the argument."""

import numpy as np
import pytest

from efttheory.scaling import lottery as L

W, B, V = np.array([1.0, -1.0]), np.array([0.2, 0.2]), np.array([0.5, 0.5])
WIDTHS = np.array([8.0, 16.0, 32.0])
LOSSES = np.ones((3, 4))

CASES = [
    (L.sharma_kaplan_alpha, (0,), {}, ValueError, "d must be >= 1"),
    (L.sharma_kaplan_alpha, (1.5,), {}, TypeError, "d must be an integer"),
    (L.relu_interpolation_mse, (0,), {}, ValueError, "n_segments"),
    (L.relu_interpolation_mse, (4,), {"lo": 2.0, "hi": -2.0}, ValueError, "hi must be > lo"),
    (L.relu_optimal_mse, (-1,), {}, ValueError, "n_hidden"),
    (L.relu_optimal_mse, (3,), {"hi": np.inf}, ValueError, "hi must be finite"),
    (L.silu, (np.array([1.0, np.nan]),), {}, ValueError, "z must be finite"),
    (L.silu, ("1",), {}, TypeError, "z must be an array of real numbers"),
    (L.silu_derivative, (0.0, 5), {}, ValueError, "order must be <= 4"),
    (L.silu_derivative, (0.0, 2.0), {}, TypeError, "order must be an integer"),
    (L.symmetric_ticket, (0.0, 1.0, 0.0, 1.0), {"activation": "gelu"}, ValueError, "activation must be one of"),
    (L.symmetric_ticket, (0.0, np.nan, 0.0, 1.0), {}, ValueError, "w must be finite"),
    (L.ticket_taylor_coefficients, (1.0, 0.0, "v"), {}, TypeError, "v must be a real number"),
    (L.ticket_best_fit, (0.1, 0.0), {"n_grid": 2}, ValueError, "n_grid must be >= 3"),
    (L.ticket_best_fit, (0.0, 0.0), {}, ValueError, "w must be nonzero"),
    (L.ensemble_mse, (-1e-3, 1.0, 2), {}, ValueError, "bias_sq must be >= 0"),
    (L.ensemble_mse, (0.0, -1.0, 2), {}, ValueError, "var must be >= 0"),
    (L.ensemble_mse, (0.0, 1.0, 0.5), {}, ValueError, "n must be >= 1"),
    (L.ensemble_mse, (0.0, 1.0, 2), {"corr": 1.5}, ValueError, r"corr must lie in \[0, 1\]"),
    (L.ensemble_mse, (0.0, [1.0, 2.0], [1.0, 2.0, 3.0]), {}, ValueError, "must broadcast together"),
    (L.ensemble_mse, (0.0, 1.0, np.inf), {}, ValueError, "n must be finite"),
    (L.effective_exponent, (0.0, 0.0, 3), {}, ValueError, "undefined where the expected MSE is 0"),
    (L.ticket_error_statistics, (np.ones(5),), {}, ValueError, "errors must have ndim"),
    (L.ticket_error_statistics, (np.ones((0, 5)),), {}, ValueError, "errors must have shape"),
    (L.symmetric_pairs, (W, B, V[:1]), {}, ValueError, "w, b and v must have the same shape"),
    (L.symmetric_pairs, (W, B, V), {"rtol": 0.0}, ValueError, r"rtol must lie in \(0.0, 1.0\]"),
    (L.reflection_partner_fraction, ([], [], []), {}, ValueError, "at least 1 hidden unit"),
    (L.reflection_matching_cost, ([], [], []), {}, ValueError, "at least 1 hidden unit"),
    (L.reflection_matching_cost, (W, B, np.array([0.5, np.inf])), {}, ValueError, "v must be finite"),
    (L.odd_part_norm, (np.zeros(5),), {}, ValueError, "f_values must not be identically zero"),
    (L.odd_part_norm, (np.ones((2, 2)),), {}, ValueError, "f_values must have ndim"),
    (L.loss_histogram_modes, ([1e-3, 0.0],), {}, ValueError, "losses must be > 0"),
    (L.loss_histogram_modes, ([1e-3],), {"bin_decades": 0.0}, ValueError, "bin_decades must be > 0"),
    (L.loss_histogram_modes, ([1e-3],), {"dip": 2.0}, ValueError, "dip must lie in"),
    (L.loss_histogram_modes, ([1e-3],), {"min_share": -0.1}, ValueError, "min_share must lie in"),
    (L.scaling_exponent, (WIDTHS, LOSSES[:2]), {}, ValueError, r"losses must have shape \(n_widths, n_seeds\)"),
    (L.scaling_exponent, (WIDTHS, LOSSES[:, 0]), {}, ValueError, "losses must have ndim"),
    (L.scaling_exponent, (-WIDTHS, LOSSES), {}, ValueError, "widths must be > 0"),
    # the message named fit_power_law's x
    (L.scaling_exponent, (np.array([8.0, 8.0, 16.0]), LOSSES), {}, ValueError, "widths must hold at least 3 distinct"),
    (L.scaling_exponent, (WIDTHS, -LOSSES), {}, ValueError, "losses must be > 0"),
    (L.scaling_exponent, (WIDTHS, LOSSES), {"stat": "mode"}, ValueError, "stat must be one of"),
    (L.scaling_exponent, (WIDTHS, LOSSES), {"n_boot": -1}, ValueError, "n_boot must be >= 0"),
    (L.scaling_exponent, (WIDTHS, LOSSES), {"rng": "seed"}, TypeError, "rng must be"),
    (L.scaling_exponent, (np.array([8.0, 8.0, 16.0]), LOSSES), {}, ValueError, "3 distinct"),
]


@pytest.mark.parametrize("func, args, kwargs, error, message", CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_bad_input_names_the_argument(func, args, kwargs, error, message):
    with pytest.raises(error, match=message):
        func(*args, **kwargs)
