"""Benchmark: the MIPS integer symbolic-regression search and the bit-finder stages.

The headline row times :func:`efttheory.synthesis.symreg.integer_symbolic_regression`
enumerating *every* candidate of all 38 templates up to length 6 on 25 rows (a
target no formula fits, so nothing stops the search early) against a vectorised
NumPy twin of the same search (all candidates of a template evaluated at once,
in chunks). Target: under 1 s per relation after compilation. Further rows time
a typical successful search, Boolean regression of an 8-state Moore machine and
FSM extraction from 8192 synthetic hidden-state trajectories.
"""

from __future__ import annotations


import numpy as np

from efttheory.synthesis import boolean, fsm, symreg
from benchmarks.timing import median_time as _median_time, median_times as _median_times

_CHUNK = 1 << 15


def _cmod(a, b):
    safe = np.where(b == 0, 1, b)
    return np.where(b == 0, 1000, np.sign(a) * (np.abs(a) % np.abs(safe)))


def numpy_symbolic_regression(X, y, max_len=6, n_check=25, tol=1e-4, constants=(3, 4)):
    """NumPy twin of the search: same templates, order and acceptance; returns (rpn or None, tried)."""
    X = np.asarray(X, dtype=np.int64)
    n_vars = X.shape[1]
    leaves = np.vstack([X.T] + [np.full((1, X.shape[0]), c, dtype=np.int64) for c in constants])
    n_leaves = leaves.shape[0]
    m = min(n_check, len(y))
    tried = 0
    for template in symreg.arity_templates(max_len):
        radix = [n_leaves if ch == "0" else 8 if ch == "1" else 4 for ch in template]
        total = int(np.prod(radix))
        first, second = symreg._operand_positions(template)
        for start in range(0, total, _CHUNK):
            digits = np.array(np.unravel_index(np.arange(start, min(total, start + _CHUNK)), radix)).T

            def evaluate(rows, digits=digits):
                vals = []
                for p, ch in enumerate(template):
                    d = digits[:, p][:, None]
                    if ch == "0":
                        vals.append(leaves[digits[:, p]][:, rows])
                        continue
                    a = vals[first[p]]
                    if ch == "1":
                        out = np.select([d == 0, d == 1, d == 2, d == 3, d == 4, d == 5, d == 6],
                                        [a + 1, a - 1, -a, (a > 0) * 1, (a == 0) * 1, np.abs(a), a + 100],
                                        a - 100)
                    else:
                        b = vals[second[p]]
                        out = np.select([d == 0, d == 1, d == 2], [a + b, a * b, a - b], _cmod(a, b))
                    vals.append(out)
                return vals[-1]

            screen = ((evaluate(slice(0, m)) - y[:m]) ** 2).sum(axis=1) < tol * m
            for idx in np.flatnonzero(screen):
                cand = digits[idx:idx + 1]
                if np.all(evaluate(slice(None), cand)[0] == y):
                    rpn = symreg._candidate_rpn(template, cand[0].tolist(), n_vars, constants)
                    return rpn, tried + start + int(idx) + 1
        tried += total
    return None, tried


def _parity_last3_machine() -> fsm.MealyMachine:
    t = np.zeros((4, 2), dtype=np.int64)
    o = np.zeros((4, 2, 1), dtype=np.int64)
    for q in range(4):
        for x in range(2):
            t[q, x] = (x << 1) | (q >> 1)
            o[q, x, 0] = (x + (q >> 1) + (q & 1)) % 2
    return fsm.MealyMachine(t, o, 0, 2)


def run(quick: bool) -> list[dict]:
    """Time the full length-6 search (numba vs NumPy twin) and the bit-finder stages."""
    rng = np.random.default_rng(0)
    repeats = 1 if quick else 3
    rows = []
    symreg.integer_symbolic_regression(np.zeros((3, 1)), np.zeros(3), max_len=1)  # compile
    for n_vars in ((3,) if quick else (1, 3, 6)):
        X = rng.integers(0, 10, size=(25, n_vars))
        y = rng.integers(10_000, 20_000, size=25)  # unreachable: the whole space is enumerated
        seconds, cpu, fit = _median_times(lambda: symreg.integer_symbolic_regression(X, y), repeats)
        tried_numba = sum(
            int(np.prod([n_vars + 2 if ch == "0" else 8 if ch == "1" else 4 for ch in tpl]))
            for tpl in symreg.arity_templates(6))
        seconds_np, (rpn_np, tried_np) = _median_time(lambda: numpy_symbolic_regression(X, y), 1)
        rows.append({
            "name": "symreg_full_search_len6",
            "variables": n_vars,
            "rows": 25,
            "candidates": tried_numba,
            "found": fit is not None,
            "twin_found": rpn_np is not None,
            "twin_candidates": tried_np,
            "seconds_efttheory": seconds,
            "cpu_seconds_efttheory": cpu,
            "seconds_numpy_twin": seconds_np,
            "speedup": seconds_np / seconds,
            "candidates_per_s": tried_numba / seconds,
            "target_s": 1.0,
        })
    X = np.column_stack([rng.integers(0, 5, 1000), rng.integers(0, 5, 1000)])
    y = (X[:, 0] + X[:, 1]) % 5
    seconds, fit = _median_time(lambda: symreg.integer_symbolic_regression(X, y), repeats)
    seconds_np, (rpn_np, _) = _median_time(lambda: numpy_symbolic_regression(X, y), 1)
    rows.append({"name": "symreg_add_mod_5", "variables": 2, "rows": 1000, "candidates": fit.candidates_tried,
                 "found": fit.rpn, "twin_found": rpn_np, "seconds_efttheory": seconds,
                 "seconds_numpy_twin": seconds_np, "speedup": seconds_np / seconds})
    machine = _parity_last3_machine()
    seconds, cpu, prog = _median_times(lambda: boolean.boolean_regression(machine, 1), 1)
    rows.append({"name": "boolean_regression_parity_last3", "moore_bits": prog.n_state_bits,
                 "found": "; ".join(prog.next_formulas + prog.output_formulas), "seconds_efttheory": seconds,
                 "cpu_seconds_efttheory": cpu})
    # FSM extraction from noisy synthetic hidden states of the binary-addition carry machine
    B, L = (2048, 10) if quick else (8192, 10)
    symbols = rng.integers(0, 4, size=(B, L))
    q = np.zeros(B, dtype=np.int64)
    states = [q]
    carry = np.zeros(B, dtype=np.int64)
    ys = []
    for t in range(L):
        total = (symbols[:, t] >> 1) + (symbols[:, t] & 1) + carry
        carry = total >> 1
        ys.append(total & 1)
        states.append(2 * carry + (total & 1))
    states = np.array(states).T
    centres = rng.normal(size=(4, 2)) * 3
    hidden = centres[states] + 0.01 * rng.normal(size=states.shape + (2,))
    hidden[:, 0] = centres[0]
    seconds, cpu, ex = _median_times(lambda: fsm.extract_fsm(hidden, symbols, np.array(ys).T, rng=0), repeats)
    rows.append({"name": "extract_fsm_binary_addition", "sequences": B, "clusters": ex.n_clusters,
                 "found": f"{ex.machine.n_states} states, conflicts {ex.conflicts}",
                 "seconds_efttheory": seconds, "cpu_seconds_efttheory": cpu})
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run(False):
        print(row)
