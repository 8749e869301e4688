"""MIPS: distil trained RNNs into verified Python programs.

Michaud, Liao, Lad, Liu, Mudide, Loughridge, Guo, Kheirkhah, Vukelić, Tegmark,
*Opening the AI black box: program synthesis via mechanistic interpretability*,
arXiv:2402.05110 (2024).

normalizers
    Function-preserving reparametrisations of a GeneralRNN given as plain arrays.
lattice
    Integer lattice autoencoders (linear/Krylov, GCD), description length, basis reduction.
fsm
    Bit finder: state clustering, transition tables, Mealy minimisation.
boolean
    Boolean regression of a finite-state machine.
linreg
    Integer linear regression on lattice coordinates.
symreg
    Integer symbolic regression over reverse-Polish templates (Numba search).
program
    One program representation, readable Python, a vectorised interpreter.
verification
    Strict verification (exhaustive or 1e5 sequences plus an independent second sample).
pipeline
    ``mips`` / ``synthesize_program``: RNN -> lattice or machine -> verified program.
"""

from efttheory.synthesis import (
    boolean,
    fsm,
    lattice,
    linreg,
    normalizers,
    pipeline,
    program,
    symreg,
    verification,
)
from efttheory.synthesis.boolean import BooleanProgram, boolean_regression, truth_table_formula
from efttheory.synthesis.fsm import (
    FSMExtraction,
    MealyMachine,
    cluster_states,
    encode_symbols,
    extract_fsm,
    machines_isomorphic,
    minimize_machine,
    run_machine,
)
from efttheory.synthesis.lattice import (
    Lattice,
    LatticeRelations,
    best_lattice,
    description_length,
    gcd_autoencode,
    initial_state_candidates,
    lattice_relations,
    linear_rnn_autoencode,
    lll_reduce,
    size_reduce,
)
from efttheory.synthesis.linreg import LinearProgram, integer_linear_regression
from efttheory.synthesis.normalizers import (
    NormalizerStep,
    NormalizerTrace,
    RNNWeights,
    debias,
    effective_transition,
    jordan_normalize,
    normalizer_chain,
    quantize,
    real_jordan_transform,
    reparametrize,
    rnn_forward,
    toeplitz_normalize,
    whiten,
)
from efttheory.synthesis.pipeline import (
    Attempt,
    MIPSResult,
    SynthesisConfusion,
    mips,
    select_l1_strength,
    synthesis_confusion,
    synthesize_program,
)
from efttheory.synthesis.program import Program, as_program, input_names, rpn_to_python, run_program, to_python
from efttheory.synthesis.symreg import (
    BINARY,
    CONSTANTS,
    UNARY,
    SymbolicFit,
    SymbolicProgram,
    arity_templates,
    eval_rpn,
    integer_symbolic_regression,
    rpn_to_infix,
    symbolic_lattice_program,
)
from efttheory.synthesis.verification import (
    VerificationReport,
    check_causal,
    enumerate_inputs,
    verify_program,
)

__all__ = [
    # submodules
    "boolean",
    "fsm",
    "lattice",
    "linreg",
    "normalizers",
    "pipeline",
    "program",
    "symreg",
    "verification",
    # normalizers
    "NormalizerStep",
    "NormalizerTrace",
    "RNNWeights",
    "debias",
    "effective_transition",
    "jordan_normalize",
    "normalizer_chain",
    "quantize",
    "real_jordan_transform",
    "reparametrize",
    "rnn_forward",
    "toeplitz_normalize",
    "whiten",
    # lattice
    "Lattice",
    "LatticeRelations",
    "best_lattice",
    "description_length",
    "gcd_autoencode",
    "initial_state_candidates",
    "lattice_relations",
    "linear_rnn_autoencode",
    "lll_reduce",
    "size_reduce",
    # fsm
    "FSMExtraction",
    "MealyMachine",
    "cluster_states",
    "encode_symbols",
    "extract_fsm",
    "machines_isomorphic",
    "minimize_machine",
    "run_machine",
    # boolean
    "BooleanProgram",
    "boolean_regression",
    "truth_table_formula",
    # symreg
    "BINARY",
    "CONSTANTS",
    "UNARY",
    "SymbolicFit",
    "SymbolicProgram",
    "arity_templates",
    "eval_rpn",
    "integer_symbolic_regression",
    "rpn_to_infix",
    "symbolic_lattice_program",
    # linreg
    "LinearProgram",
    "integer_linear_regression",
    # program
    "Program",
    "as_program",
    "input_names",
    "rpn_to_python",
    "run_program",
    "to_python",
    # verification
    "VerificationReport",
    "check_causal",
    "enumerate_inputs",
    "verify_program",
    # pipeline
    "Attempt",
    "MIPSResult",
    "SynthesisConfusion",
    "mips",
    "select_l1_strength",
    "synthesis_confusion",
    "synthesize_program",
]
