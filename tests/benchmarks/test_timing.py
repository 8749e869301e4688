"""Benchmark timing returns medians of repeats together with the last result."""

from benchmarks.timing import median_time, median_times


def test_median_time_returns_last_result_and_counts_calls():
    calls = []

    def work():
        calls.append(1)
        return len(calls)

    seconds, out = median_time(work, 5)
    assert out == 5 and len(calls) == 5
    assert seconds >= 0.0
    wall, cpu, out = median_times(work, 3)
    assert out == 8 and wall >= 0.0 and cpu >= 0.0
