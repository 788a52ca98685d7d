"""One formula, one source: the expression that computes a number is also what the page shows.

A Formula holds a one-line arithmetic expression over named symbols. Calling it evaluates the
expression and returns a Term, which renders itself as text ("W = P × b / 8"), with the user's
numbers plugged in ("W = 70.6B × 16 / 8 = 141 GB"), or as MathML for the site. Nothing shown is
ever retyped, so the page cannot drift from the math.
"""

import ast
import math
from dataclasses import dataclass, field
from html import escape
from operator import itemgetter

from .units import format_value

_FUNCTIONS = {
    "min": min,
    "max": max,
    "ceil": math.ceil,
    "floor": math.floor,
    "round": round,
    "abs": abs,
}  # Python's round is half-to-even
_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.Call,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.USub,
)
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
_TEXT_OPS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "/", ast.Pow: "^"}


@dataclass(frozen=True)
class Formula:
    """`result = expression`, with display symbols and value kinds for each name.

    symbols maps a name to (display symbol, kind, meaning); kind picks the formatter in
    units.format_value ("bytes", "count", "int", "usd", ...). Unlisted names show as themselves.
    """

    source: str
    why: str = ""
    symbols: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        result, _, expr = self.source.partition("=")
        object.__setattr__(self, "name", result.strip())
        object.__setattr__(self, "expr", expr.strip())

    def _compiled(self) -> tuple:
        """(tree, inputs, function of the inputs in order), parsed and checked on first use: modules define
        dozens of formulas and importing them must stay cheap in the browser (tests check every formula parses)."""
        cached = self.__dict__.get("_parsed")
        if cached is not None:
            return cached
        tree = ast.parse(self.expr, mode="eval")
        for node in ast.walk(tree):
            if not isinstance(node, _ALLOWED):
                raise TypeError(f"formula {self.source!r}: {type(node).__name__} not allowed")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) not in _FUNCTIONS:
                raise TypeError(f"formula {self.source!r}: only {sorted(_FUNCTIONS)} may be called")
        called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)}
        names = tuple(dict.fromkeys(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in called))
        # the same expression as a function of its inputs (fast locals): the same arithmetic as eval'ing it
        source = f"lambda {', '.join(names)}: ({self.expr})"
        function = eval(compile(source, self.source, "eval"), {"__builtins__": {}, **_FUNCTIONS})  # noqa: S307
        pick = itemgetter(*names) if len(names) > 1 else lambda values: tuple(values[n] for n in names)
        cached = (tree.body, names, function, pick)  # pick: the inputs' values from a dict, in order
        object.__setattr__(self, "_parsed", cached)
        return cached

    def _template(self, which: str) -> tuple[str, ...]:
        """The text or MathML rendering split around its symbols: literal, name, literal, name ... literal.
        The tree's shape fixes everything but the symbols, so a Term fills this in instead of walking it."""
        cached = self.__dict__.get(which)
        if cached is None:
            render = _text if which == "_text_parts" else _mathml
            cached = tuple(render(self._tree, lambda n: f"\0{n}\0").split("\0"))
            object.__setattr__(self, which, cached)
        return cached

    @property
    def inputs(self) -> tuple[str, ...]:
        """The symbols the expression uses, in order of appearance."""
        return self._compiled()[1]

    @property
    def _tree(self):
        return self._compiled()[0]

    def evaluate(self, **values: float) -> float:
        """The value alone, exactly what calling the formula gives, without building a Term (for hot loops)."""
        _, _, function, pick = self.__dict__.get("_parsed") or self._compiled()
        return function(*pick(values))

    def __call__(self, **values: float) -> "Term":
        _, names, function, pick = self.__dict__.get("_parsed") or self._compiled()
        try:
            args = pick(values)
        except KeyError:
            missing = [n for n in names if n not in values]
            raise TypeError(f"formula {self.name}: missing {', '.join(missing)}") from None
        return Term(self, tuple(zip(names, args)), function(*args))

    def display(self, name: str) -> str:
        """The short symbol shown for a name (e.g. 'P' for params)."""
        return self.symbols.get(name, (name,))[0]

    def kind(self, name: str) -> str:
        """The value kind of a name, which picks its formatter."""
        spec = self.symbols.get(name, ())
        return spec[1] if len(spec) > 1 else "number"

    def legend(self) -> list[tuple[str, str]]:
        """(symbol, meaning) for every symbol that has a meaning, result first."""
        rows = []
        for name in (self.name, *self.inputs):
            spec = self.symbols.get(name, ())
            if len(spec) > 2:
                rows.append((spec[0], spec[2]))
        return rows

    def text(self) -> str:
        """The formula in symbols: 'W = P × b / 8'."""
        cached = self.__dict__.get("_text")
        if cached is None:
            cached = f"{self.display(self.name)} = {_fill(self._template('_text_parts'), self.display)}"
            object.__setattr__(self, "_text", cached)
        return cached

    def mathml(self) -> str:
        """The formula in symbols as inline MathML."""
        cached = self.__dict__.get("_mathml")
        if cached is None:
            body = _fill(self._template("_mathml_parts"), lambda n: _mi(self.display(n)))
            cached = f'<math displaystyle="true">{_mi(self.display(self.name))}<mo>=</mo>{body}</math>'
            object.__setattr__(self, "_mathml", cached)
        return cached


@dataclass(frozen=True, init=False)
class Term:
    """A formula evaluated on the user's numbers."""

    formula: Formula
    values: tuple
    value: float

    def __init__(self, formula: Formula, values: tuple, value: float):
        # what the frozen dataclass's __init__ does, in half the time (pages build hundreds of terms)
        fields = self.__dict__
        fields["formula"], fields["values"], fields["value"] = formula, values, value

    @property
    def name(self) -> str:
        return self.formula.name

    def _plugs(self) -> dict:
        """Each input's number as shown, by name (computed once: plugged() and mathml() both need them)."""
        cached = self.__dict__.get("_plugged")
        if cached is None:
            kind = self.formula.kind
            cached = {}
            for name, number in self.values:
                text = format_value(number, kind(name))
                cached[name] = f"({text})" if text.startswith("-") else text  # 0.48 − (-0.42), never 0.48 − -0.42
            object.__setattr__(self, "_plugged", cached)
        return cached

    def _plug(self, name: str) -> str:
        return self._plugs()[name]

    def formatted(self) -> str:
        """The result, formatted by its kind."""
        return format_value(self.value, self.formula.kind(self.name))

    def text(self) -> str:
        """The symbolic formula: 'W = P × b / 8'."""
        return self.formula.text()

    def plugged(self) -> str:
        """The formula with numbers: 'W = 70.6B × 16 / 8 = 141 GB'."""
        f = self.formula
        body = _fill(f._template("_text_parts"), self._plugs().__getitem__)
        return f"{f.display(self.name)} = {body} = {self.formatted()}"

    def mathml(self) -> str:
        """The plugged-in formula as MathML, numbers in <mn>."""
        f = self.formula
        plugs = self._plugs()
        body = _fill(f._template("_mathml_parts"), lambda n: f"<mn>{escape(plugs[n])}</mn>")
        return (
            f'<math displaystyle="true">{_mi(f.display(f.name))}<mo>=</mo>{body}'
            f"<mo>=</mo><mn>{escape(self.formatted())}</mn></math>"
        )

    def as_dict(self) -> dict:
        """JSON-ready: name, value, formula text, plugged text, why."""
        return {
            "name": self.name,
            "value": self.value,
            "formula": self.text(),
            "plugged": self.plugged(),
            "why": self.formula.why,
        }


def _fill(parts: tuple[str, ...], leaf) -> str:
    """A template from Formula._template with leaf(name) in each symbol's place."""
    out = list(parts)
    for i in range(1, len(out), 2):
        out[i] = leaf(out[i])
    return "".join(out)


def _mi(symbol: str) -> str:
    """A display symbol as MathML; 'K_t' becomes K with subscript t."""
    base, _, sub = symbol.partition("_")
    if sub:
        return f"<msub><mi>{escape(base)}</mi><mi>{escape(sub)}</mi></msub>"
    return f"<mi>{escape(symbol)}</mi>"


def _wrap(child: ast.AST, parent_prec: int, right: bool, render) -> str:
    prec = _PRECEDENCE.get(type(getattr(child, "op", None)), 9)
    inner = render(child)
    needs = prec < parent_prec or (right and prec == parent_prec and parent_prec in (1, 2))
    return f"({inner})" if needs else inner


def _text(node: ast.AST, leaf) -> str:
    """Render an expression tree as plain text; leaf(name) renders a symbol."""

    def render(n):
        if isinstance(n, ast.Name):
            return leaf(n.id)
        if isinstance(n, ast.Constant):
            return f"{n.value:g}" if isinstance(n.value, float) else str(n.value)
        if isinstance(n, ast.UnaryOp):
            return f"−{render(n.operand)}"
        if isinstance(n, ast.Call):
            args = ", ".join(render(a) for a in n.args)
            return (
                f"⌈{args}⌉" if n.func.id == "ceil" else f"⌊{args}⌋" if n.func.id == "floor" else f"{n.func.id}({args})"
            )
        prec = _PRECEDENCE[type(n.op)]
        return f"{_wrap(n.left, prec, False, render)} {_TEXT_OPS[type(n.op)]} {_wrap(n.right, prec, True, render)}"

    return render(node)


def _mathml(node: ast.AST, leaf) -> str:
    """Render an expression tree as MathML (division as a fraction)."""

    def paren(inner):
        return f"<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"

    def wrap(child, parent_prec, right):
        prec = _PRECEDENCE.get(type(getattr(child, "op", None)), 9)
        needs = prec < parent_prec or (right and prec == parent_prec and parent_prec == 1)
        return paren(render(child)) if needs else render(child)

    def render(n):
        if isinstance(n, ast.Name):
            return leaf(n.id)
        if isinstance(n, ast.Constant):
            return f"<mn>{n.value:g}</mn>" if isinstance(n.value, float) else f"<mn>{n.value}</mn>"
        if isinstance(n, ast.UnaryOp):
            return f"<mrow><mo>−</mo>{render(n.operand)}</mrow>"
        if isinstance(n, ast.Call):
            args = "<mo>,</mo>".join(render(a) for a in n.args)
            if n.func.id in ("ceil", "floor"):
                left, right = ("⌈", "⌉") if n.func.id == "ceil" else ("⌊", "⌋")
                return f"<mrow><mo>{left}</mo>{args}<mo>{right}</mo></mrow>"
            return f"<mrow><mi>{n.func.id}</mi>{paren(args)}</mrow>"
        if isinstance(n.op, ast.Div):
            return f"<mfrac><mrow>{render(n.left)}</mrow><mrow>{render(n.right)}</mrow></mfrac>"
        if isinstance(n.op, ast.Pow):
            return f"<msup>{wrap(n.left, 4, False)}<mrow>{render(n.right)}</mrow></msup>"
        prec = _PRECEDENCE[type(n.op)]
        op = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×"}[type(n.op)]
        return f"<mrow>{wrap(n.left, prec, False)}<mo>{op}</mo>{wrap(n.right, prec, True)}</mrow>"

    return render(node)
