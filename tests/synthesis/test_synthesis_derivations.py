"""Symbolic (sympy) re-derivation of the identities the synthesis docs use."""

import sympy as sp


def test_reparametrization_preserves_a_linear_rnn():
    # h_t = W h_{t-1} + U x_t + c, y_t = V h_t + d; h' = T^-1 h
    W = sp.Matrix(2, 2, sp.symbols("w0:4"))
    T = sp.Matrix(2, 2, sp.symbols("t0:4"))
    U = sp.Matrix(2, 1, sp.symbols("u0:2"))
    c = sp.Matrix(2, 1, sp.symbols("c0:2"))
    V = sp.Matrix(1, 2, sp.symbols("v0:2"))
    x1, x2 = sp.symbols("x1 x2")
    Ti = T.inv()
    h1 = U * x1 + c
    h2 = W * h1 + U * x2 + c
    # transformed weights: last layer T^-1 [W | U], T^-1 c; first layer's h-columns W T; readout V T
    W2, U2, c2, V2 = Ti * W * T, Ti * U, Ti * c, V * T
    g1 = U2 * x1 + c2
    g2 = W2 * g1 + U2 * x2 + c2
    assert (V2 * g2 - V * h2).applyfunc(sp.cancel) == sp.zeros(1, 1)
    assert (T * g2 - h2).applyfunc(sp.cancel) == sp.zeros(2, 1)


def test_upper_toeplitz_commutes_with_a_jordan_block_and_maps_e_s_to_u():
    lam = sp.Symbol("lam")
    u = sp.symbols("u0:3")
    s = 3
    J = lam * sp.eye(s) + sp.Matrix(s, s, lambda i, j: 1 if j == i + 1 else 0)
    T = sp.Matrix(s, s, lambda i, j: u[s - 1 - (j - i)] if j >= i else 0)
    assert (T * J - J * T).expand() == sp.zeros(s, s)
    assert T * sp.Matrix([0, 0, 1]) == sp.Matrix(u)


def test_rotation_block_commutes_with_its_toeplitz_analogue():
    a, b, p, q = sp.symbols("a b p q")
    R = sp.Matrix([[a, b], [-b, a]])
    T = sp.Matrix([[q, p], [-p, q]])
    assert (T * R - R * T).expand() == sp.zeros(2, 2)
    assert T * sp.Matrix([0, 1]) == sp.Matrix([p, q])


def test_debias_is_exact_when_the_moved_bias_is_unread():
    # f reads h only through W1; if W1 n = 0, shifting h by beta*n never changes the next step
    w = sp.Matrix(1, 2, sp.symbols("w0:2"))
    n = sp.Matrix([w[1], -w[0]])  # null vector of w
    beta, h0, h1 = sp.symbols("beta h0 h1")
    h = sp.Matrix([h0, h1])
    assert sp.expand((w * (h + beta * n))[0] - (w * h)[0]) == 0


def test_linear_rnn_on_a_lattice_gives_an_integer_recurrence():
    # h = z A + b (row vectors) and h' = h W^T + x u^T + c  =>  z' = z M + x k + e with
    # M = A W^T A^-1, k = u^T A^-1, e = (b W^T + c - b) A^-1 — integer when A is a Krylov basis
    A = sp.Matrix(2, 2, sp.symbols("a0:4"))
    W = sp.Matrix(2, 2, sp.symbols("w0:4"))
    u = sp.Matrix(1, 2, sp.symbols("u0:2"))
    b = sp.Matrix(1, 2, sp.symbols("b0:2"))
    c = sp.Matrix(1, 2, sp.symbols("c0:2"))
    z = sp.Matrix(1, 2, sp.symbols("z0:2"))
    x = sp.Symbol("x")
    h_next = (z * A + b) * W.T + x * u + c
    z_next = (h_next - b) * A.inv()
    M, k, e = A * W.T * A.inv(), u * A.inv(), (b * W.T + c - b) * A.inv()
    assert (z_next - (z * M + x * k + e)).applyfunc(sp.cancel) == sp.zeros(1, 2)
