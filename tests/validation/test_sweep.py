import platform
import sys

import numpy as np
import pytest

from tests.validation.sweep_points import draw_matrix_product, noisy_square
from validation.allocator import keep_temporaries_on_heap
from validation.sweep import point_seeds, run_sweep


def test_results_in_point_order_and_seeded_per_point():
    points = [3, 1, 4, 1, 5]
    seeds = point_seeds(7, len(points))
    expected = [noisy_square(p, s) for p, s in zip(points, seeds)]
    assert run_sweep(noisy_square, points, seed=7, workers=1) == expected


def test_local_processes_equal_in_process_bit_for_bit():
    points = [2, 5, 8, 13]
    serial = run_sweep(draw_matrix_product, points, seed=3, workers=1)
    parallel = run_sweep(draw_matrix_product, points, seed=3, workers=2)
    assert serial == parallel


def test_cost_order_changes_start_order_not_results():
    points = [2, 5, 8, 13]
    serial = run_sweep(draw_matrix_product, points, seed=3, workers=1)
    longest_first = run_sweep(draw_matrix_product, points, seed=3, workers=2, cost=lambda p: p)
    assert serial == longest_first


def test_progress_reports_every_point():
    seen = []
    run_sweep(noisy_square, [1, 2, 3], seed=0, workers=1, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_empty_sweep_and_bad_arguments():
    assert run_sweep(noisy_square, [], seed=0) == []
    with pytest.raises(ValueError, match="seed"):
        run_sweep(noisy_square, [1], seed=-1)
    with pytest.raises(ValueError, match="workers"):
        run_sweep(noisy_square, [1], seed=0, workers=0)
    with pytest.raises(TypeError, match="fn"):
        run_sweep(42, [1], seed=0)


def test_dask_local_cluster_matches_local_run_bit_for_bit():
    distributed = pytest.importorskip("distributed", reason="optional extra dask[distributed] not installed")
    points = [2, 5, 8, 13, 21]
    local = run_sweep(draw_matrix_product, points, seed=11, workers=1)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = run_sweep(draw_matrix_product, points, seed=11, scheduler=cluster.scheduler_address)
    assert remote == local
    assert all(isinstance(v, float) for v in remote)
    assert len(set(remote)) == len(points)


def test_keep_temporaries_on_heap_takes_effect_exactly_under_glibc():
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert keep_temporaries_on_heap() is glibc
