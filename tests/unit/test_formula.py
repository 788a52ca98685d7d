"""The formula mechanism: one expression both computes and renders."""

from html import escape

import pytest

from playground.formula import Formula

W = Formula(
    "weights_bytes = params * bits / 8",
    why="each parameter takes bits / 8 bytes",
    symbols={"weights_bytes": ("W", "bytes", "weights"), "params": ("P", "count", "parameters"), "bits": ("b", "int")},
)


def test_evaluates_the_expression():
    """Llama 3.1 70B at 16 bits: 70.6e9 x 16 / 8 = 141.2e9 bytes."""
    assert W(params=70.6e9, bits=16).value == pytest.approx(141.2e9)


def test_text_and_plugged_come_from_the_same_tree():
    """The symbolic and plugged-in renderings follow the expression."""
    term = W(params=70.6e9, bits=16)
    assert term.text() == "W = P × b / 8"
    assert term.plugged() == "W = 70.6B × 16 / 8 = 141 GB"


def test_parentheses_only_where_needed():
    """Precedence decides parentheses: (a + b) x c keeps them, a + b x c does not."""
    assert Formula("y = (a + b) * c").text() == "y = (a + b) × c"
    assert Formula("y = a + b * c").text() == "y = a + b × c"
    assert Formula("y = a / (b * c)").text() == "y = a / (b × c)"
    assert Formula("y = a - (b - c)")(a=5, b=3, c=1).value == 3


def test_mathml_has_fraction_and_numbers():
    """MathML renders division as a fraction with the plugged numbers in <mn>."""
    ml = W(params=7e9, bits=4).mathml()
    assert ml.startswith("<math") and "<mfrac>" in ml and "<mn>7B</mn>" in ml


def test_missing_symbol_is_an_error():
    """Calling without every symbol fails loudly rather than computing garbage."""
    with pytest.raises(TypeError, match="missing bits"):
        W(params=1)


def test_only_arithmetic_is_allowed():
    """Attribute access or arbitrary calls in a formula are rejected before it is ever evaluated."""
    with pytest.raises(TypeError):
        Formula("y = x.__class__").text()
    with pytest.raises(TypeError):
        Formula("y = open(x)")(x=1)


def test_every_formula_the_engine_defines_parses():
    """Formulas are parsed lazily, so check every one in the package is valid arithmetic."""
    import importlib
    import pkgutil

    import playground

    found = 0
    for info in pkgutil.iter_modules(playground.__path__):
        module = importlib.import_module(f"playground.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, Formula):
                assert obj.text() and obj.inputs is not None
                found += 1
    assert found > 40


def test_ceil_and_min_render():
    """ceil renders with ceiling brackets and min as a function."""
    f = Formula("n = ceil(a / b) + min(a, b)")
    assert f.text() == "n = ⌈a / b⌉ + min(a, b)"
    assert f(a=5, b=2).value == 5


def _engine_formulas():
    import importlib
    import pkgutil

    import playground

    for info in pkgutil.iter_modules(playground.__path__):
        module = importlib.import_module(f"playground.{info.name}")
        yield from (obj for obj in vars(module).values() if isinstance(obj, Formula))


def test_templates_render_what_walking_the_tree_renders():
    """Terms fill a template made once per formula; it gives what walking the expression tree gives."""
    from playground.formula import _mathml, _mi, _text

    for f in _engine_formulas():
        term = f(**{name: -2.5 if i % 3 == 0 else 7 * (i + 1) for i, name in enumerate(f.inputs)})
        plug = term._plug
        assert term.plugged() == f"{f.display(f.name)} = {_text(f._tree, plug)} = {term.formatted()}"
        assert term.mathml().startswith(f'<math displaystyle="true">{_mi(f.display(f.name))}<mo>=</mo>')
        assert _mathml(f._tree, lambda n, p=plug: f"<mn>{escape(p(n))}</mn>") in term.mathml()
        assert f.text() == f"{f.display(f.name)} = {_text(f._tree, f.display)}"
        assert f.mathml().endswith(f"{_mathml(f._tree, lambda n, f=f: _mi(f.display(n)))}</math>")


def test_evaluate_is_the_terms_value():
    """Formula.evaluate, for hot loops, computes exactly the value a Term gets."""
    for f in _engine_formulas():
        values = {name: 3.7 + i for i, name in enumerate(f.inputs)}
        assert f.evaluate(**values) == f(**values).value
