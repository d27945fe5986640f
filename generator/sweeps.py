"""Parameter sweeps: an entry's ``params`` front-matter key, checked and expanded.

``params: {beta: [0.5, 0.8, 0.9, 0.98]}`` runs the entry's snippets once per
value (the first is the default), with ``beta`` set before the first block.
The long form ``beta: {values: [...], default: 0.9, symbol: "\\beta"}`` names
the default and the formula's symbol the page highlights. Several parameters
run every combination (at most ``MAX_COMBINATIONS``).
"""

from __future__ import annotations

import ast
import builtins
import itertools
import keyword
import re
from dataclasses import dataclass, replace

import yaml

from .diagnostics import Reporter, SourcePos, did_you_mean

MAX_COMBINATIONS = 64
Value = int | float | bool | str


@dataclass(frozen=True)
class Param:
    """One swept name: the values to try, which one the page shows first, its symbol."""

    name: str
    values: tuple[Value, ...]
    default: int
    """Index of the default value in ``values``."""
    symbol: str
    """TeX of the formula's symbol for this name, or ``""``."""
    pos: SourcePos
    """Where the name is written in the front matter."""


Combination = tuple[int, ...]
"""One value index per parameter, in the order of ``Entry.params``."""


def combinations(params: tuple[Param, ...]) -> list[Combination]:
    """Return every combination, the default first, then in reading order."""
    if not params:
        return [()]
    every = list(itertools.product(*(range(len(p.values)) for p in params)))
    default = default_combination(params)
    return [default] + [c for c in every if c != default]


def default_combination(params: tuple[Param, ...]) -> Combination:
    return tuple(p.default for p in params)


def values_of(params: tuple[Param, ...], combination: Combination) -> dict[str, Value]:
    return {p.name: p.values[i] for p, i in zip(params, combination, strict=True)}


def label(params: tuple[Param, ...], combination: Combination) -> str:
    """Return ``beta=0.98, window=10``: how messages and pages name a combination."""
    return ", ".join(f"{name}={show(value)}" for name, value in values_of(params, combination).items())


def combination_id(combination: Combination) -> str:
    """Return the combination's key in the page (``0-3``)."""
    return "-".join(str(i) for i in combination)


def show(value: Value) -> str:
    return repr(value) if isinstance(value, str) else str(value)


# --- reading the front matter ---------------------------------------------------------

def parse_params(node, pos: SourcePos, front_pos, reporter: Reporter) -> tuple[Param, ...]:
    """Return the parameters of a ``params`` YAML node; report each problem at its line.

    :param front_pos: maps a YAML mark to its file position.
    """
    if not isinstance(node, yaml.MappingNode):
        reporter.error(pos, "'params' must be a mapping, like {beta: [0.5, 0.9, 0.98]}")
        return ()
    params: list[Param] = []
    for name_node, value_node in node.value:
        npos = front_pos(name_node.start_mark)
        name = str(name_node.value).strip() if isinstance(name_node, yaml.ScalarNode) else ""
        if not name.isidentifier() or keyword.iskeyword(name):
            reporter.error(npos, f"parameter name '{name}' is not a python identifier")
            continue
        if any(p.name == name for p in params):
            reporter.error(npos, f"parameter '{name}' is declared twice")
            continue
        param = _param(name, value_node, npos, front_pos, reporter)
        if param is not None:
            params.append(param)
    total = 1
    for param in params:
        total *= len(param.values)
    if total > MAX_COMBINATIONS:
        sizes = " x ".join(str(len(p.values)) for p in params)
        reporter.error(pos, f"'params' makes {total} combinations ({sizes}); the most is "
                            f"{MAX_COMBINATIONS}: try fewer values")
        return ()
    return tuple(params)


def _param(name: str, node, npos: SourcePos, front_pos, reporter: Reporter) -> Param | None:
    default_node = symbol = None
    values_node = node
    if isinstance(node, yaml.MappingNode):
        parts = {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        unknown = [k for k in parts if k not in ("values", "default", "symbol")]
        if unknown:
            reporter.error(front_pos(node.start_mark),
                           f"unknown key '{unknown[0]}' in parameter '{name}'"
                           f"{did_you_mean(unknown[0], ('values', 'default', 'symbol'))}")
            return None
        if "values" not in parts:
            reporter.error(front_pos(node.start_mark), f"parameter '{name}' needs 'values'")
            return None
        values_node, default_node = parts["values"], parts.get("default")
        if "symbol" in parts:
            symbol = str(parts["symbol"].value).strip() if isinstance(
                parts["symbol"], yaml.ScalarNode) else ""
    vpos = front_pos(values_node.start_mark)
    if not isinstance(values_node, yaml.SequenceNode):
        reporter.error(vpos, f"parameter '{name}' must be a list of values, like [0.5, 0.9]")
        return None
    if not values_node.value:
        reporter.error(vpos, f"parameter '{name}' has no values: give at least one")
        return None
    values = []
    for item in values_node.value:
        value = _scalar(item)
        if value is None:
            reporter.error(front_pos(item.start_mark), f"every value of parameter '{name}' must be "
                                                       "a number, true/false or text")
            return None
        if value in values:
            reporter.error(front_pos(item.start_mark),
                           f"value {show(value)} of parameter '{name}' is listed twice")
            return None
        values.append(value)
    default = 0
    if default_node is not None:
        wanted = _scalar(default_node)
        if wanted not in values:
            reporter.error(front_pos(default_node.start_mark),
                           f"default of parameter '{name}' must be one of its values")
            return None
        default = values.index(wanted)
    return Param(name, tuple(values), default, symbol or "", npos)


def _scalar(node) -> Value | None:
    if not isinstance(node, yaml.ScalarNode):
        return None
    value = yaml.SafeLoader("").construct_object(node)
    return value if isinstance(value, (int, float, bool, str)) else None


# --- checking against the code --------------------------------------------------------

def check_names(params: tuple[Param, ...], code: str, reporter: Reporter) -> None:
    """Report a parameter the executed code never reads, or one the code overwrites."""
    if not params:
        return
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return  # the run reports it at its line
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    assigned = _top_level_assigned(tree)
    names = sorted(read - set(dir(builtins)))
    for param in params:
        if param.name in assigned:
            reporter.error(param.pos, f"parameter '{param.name}' is assigned in the code, so the "
                                      "sweep would not change it: remove the assignment")
        elif param.name not in read:
            reporter.error(param.pos, f"parameter '{param.name}' is not used by the code"
                                      f"{did_you_mean(param.name, names)}")


def _top_level_assigned(tree: ast.Module) -> set[str]:
    names = set()
    for stmt in tree.body:
        targets = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
            targets = [stmt.target]
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


# --- the formula's symbols ------------------------------------------------------------

def mark_symbols(tex, params: tuple[Param, ...]):
    """Return ``tex`` whose engine TeX wraps each parameter's symbol in a ``param-NAME`` class.

    The page highlights that class while the parameter's control moves. Error
    positions still map back to the file: the insertions are added to the shifts.
    """
    inserts = []  # (index in the old engine TeX, text inserted there)
    for param in params:
        if not param.symbol:
            continue
        pattern = re.escape(param.symbol)
        if param.symbol[-1:].isalpha():  # \beta is not the start of \betaX
            pattern += "(?![A-Za-z])"
        if param.symbol[:1].isalpha():  # x is not the x of \exp
            pattern = r"(?<![\\A-Za-z])" + pattern
        for match in re.finditer(pattern, tex.engine_tex):
            inserts += [(match.start(), f"{{\\htmlClass{{param-{param.name}}}{{"),
                        (match.end(), "}}")]
    if not inserts:
        return tex
    inserts.sort(key=lambda item: item[0])
    old, out, pos = tex.engine_tex, [], 0
    points = []  # (old index, characters added before it in the new TeX)
    added = 0
    for at, text in inserts:
        out += [old[pos:at], text]
        pos = at
        added += len(text)
        points.append((at, added))
    out.append(old[pos:])

    def added_before(index: int) -> int:
        total = 0
        for at, running in points:
            if at <= index:
                total = running
        return total

    shifts = [(at + added_before(at), removed - added_before(at)) for at, removed in tex.engine_shifts]
    for at, running in points:
        removed = tex.source_index(at) - at
        shifts.append((at + running, removed - running))
    return replace(tex, engine_tex="".join(out), engine_shifts=tuple(sorted(shifts)))
