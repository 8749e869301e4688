"""Every public callable documents its parameters in a numpydoc ``Parameters`` section.

"Public" means exported in the ``__all__`` of an ``efttheory`` subpackage: functions (a jitted
one through its Python function) and the public methods of exported classes. The section must
name exactly the parameters of the signature (in any order: "a, b : int" may pair two that are
not adjacent), so a renamed or added argument cannot leave the documentation behind.
"""

import importlib
import inspect
import pkgutil

import pytest

import efttheory


def _section(doc: str, title: str) -> list[str] | None:
    """Lines of the numpydoc section ``title`` (None when the docstring has none)."""
    lines = inspect.cleandoc(doc).splitlines()
    for i, line in enumerate(lines[:-1]):
        underline = lines[i + 1].strip()
        if line.strip() == title and underline and set(underline) == {"-"}:
            body = []
            for j in range(i + 2, len(lines)):
                nxt = lines[j + 1].strip() if j + 1 < len(lines) else ""
                if lines[j].strip() and nxt and set(nxt) == {"-"}:
                    break
                body.append(lines[j])
            return body
    return None


def documented_parameters(doc: str) -> list[str] | None:
    """Names in the ``Parameters`` section, in order ("a, b : float" gives both; "*" stripped)."""
    body = _section(doc, "Parameters")
    if body is None:
        return None
    entries = [line for line in body if line.strip()]
    if not entries:
        return []
    base = min(len(line) - len(line.lstrip()) for line in entries)
    names = []
    for line in entries:
        if len(line) - len(line.lstrip()) == base:
            head = line.split(" : ", 1)[0] if " : " in line else line
            names += [name.strip().lstrip("*") for name in head.split(",") if name.strip()]
    return names


def _public_callables():
    modules = [efttheory.errors] + [
        importlib.import_module(f"efttheory.{info.name}")
        for info in pkgutil.iter_modules(efttheory.__path__)
        if info.ispkg
    ]
    seen, found = set(), []
    for module in modules:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            candidates = []
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    func = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                    if inspect.isfunction(func):
                        candidates.append((f"{module.__name__}.{name}.{attr}", func))
            elif callable(obj):
                candidates.append((f"{module.__name__}.{name}", getattr(obj, "py_func", obj)))
            for qualname, func in candidates:
                if id(func) not in seen:
                    seen.add(id(func))
                    found.append((qualname, func))
    return found


PUBLIC = _public_callables()


def _parameters(func) -> list[str]:
    return [name for name in inspect.signature(func).parameters if name not in ("self", "cls")]


def test_the_scan_sees_the_public_api():
    names = {qualname for qualname, _ in PUBLIC}
    assert len(PUBLIC) > 150
    assert {"efttheory.complexity.linear_mapping_number", "efttheory.games.nash_equilibria",
            "efttheory.scaling.ChinchillaFit.compute_optimal"} <= names


def test_the_parser_reads_numpydoc_and_notices_a_missing_section():
    doc = """Summary.

    Parameters
    ----------
    a, b : float
        Two numbers.
    *args : tuple
        More.
    key : str, default "x"
        Continued
        description.

    Returns
    -------
    float
    """
    assert documented_parameters(doc) == ["a", "b", "args", "key"]
    assert documented_parameters("Summary.\n\nReturns\n-------\nfloat\n") is None


@pytest.mark.parametrize("qualname, func", PUBLIC, ids=[q for q, _ in PUBLIC])
def test_parameters_section_matches_the_signature(qualname, func):
    expected = _parameters(func)
    doc = func.__doc__
    assert doc, f"{qualname} has no docstring"
    if not expected:
        return
    documented = documented_parameters(doc)
    assert documented is not None, f"{qualname}: no Parameters section for {expected}"
    assert len(documented) == len(set(documented)), f"{qualname}: a parameter is documented twice"
    assert sorted(documented) == sorted(expected), f"{qualname}: documents {documented}, signature has {expected}"
