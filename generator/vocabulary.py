"""The glossary's vocabulary, defined once: relation kinds, roads and the entry schema.

Every stage reads these tables instead of spelling kinds out: ``load`` checks
front matter against the schema, ``links`` builds relations (inverse labels,
symmetric kinds, implied kinds), the concept map draws each kind with its
stroke, templates show labels and legends, ``glossary new`` writes its
template from the schema. A project extends the tables from ``[tool.glossary]``
(``[tool.glossary.relations.<key>]``, ``[tool.glossary.roads.<key>]``,
``[tool.glossary.fields.<key>]``); nothing else needs to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Stroke:
    """How a relation kind is drawn on the maps (light and dark theme)."""

    color: str = "#6b7280"
    dark: str = "#9aa1ad"
    dash: str = ""
    """SVG ``stroke-dasharray``; empty for a solid line."""
    width: float = 1.4
    arrow: bool = False
    """Drawn from source to target with an arrowhead (directed kinds)."""


@dataclass(frozen=True)
class RelationKind:
    """One kind of relation between entries, with its name on each end."""

    key: str
    label: str
    """Shown on the source's page: "Uses"."""
    inverse_label: str
    """Shown on the target's page: "Used by"."""
    legend: str
    """Shown in the maps' legend: "uses / used by"."""
    symmetric: bool = False
    """The relation reads the same both ways (see also): one group on each page."""
    implies: tuple[str, ...] = ()
    """Kinds this one also counts as (a chunk in the formula counts as ``uses``)."""
    front_matter: bool = True
    """A list key contributors write (``uses: [...]``); false for chunks and wiki links."""
    on_map: bool = True
    stroke: Stroke = field(default_factory=Stroke)


@dataclass(frozen=True)
class Road:
    """One of the roads into a concept."""

    key: str
    name: str
    meaning: str


@dataclass(frozen=True)
class FieldSpec:
    """One front-matter key of the entry schema."""

    key: str
    kind: str
    """``text`` | ``tex`` | ``road`` | ``list`` | ``map`` | ``relation`` | ``params``."""
    required: bool = False
    label: str = ""
    """How an entry page labels the value (custom text fields are shown under it)."""
    hint: str = ""
    """One line for the ``glossary new`` template and the contributors' guide."""
    example: str = ""
    """The value ``glossary new`` writes (a placeholder ``check`` refuses)."""


DEFAULT_RELATIONS = (
    RelationKind("uses", "Uses", "Used by", "uses / used by",
                 stroke=Stroke("#3451b2", "#8ea6ff", arrow=True)),
    RelationKind("builds_on", "Builds on", "Leads to", "builds on / leads to",
                 stroke=Stroke("#b2342e", "#ff8a80", dash="6 3", width=2, arrow=True)),
    RelationKind("see_also", "See also", "See also", "see also", symmetric=True,
                 stroke=Stroke("#2e7d4f", "#7fd1a0", dash="2 3")),
    RelationKind("chunk", "Chunks in its formula", "Appears inside the formula of",
                 "chunk in the formula", implies=("uses",), front_matter=False, on_map=False),
    RelationKind("wikilink", "Mentions", "Mentioned in", "mentions / mentioned in",
                 front_matter=False, stroke=Stroke("#9aa1ad", "#6b7280", width=1)),
)

DEFAULT_ROADS = (
    Road("abstraction", "Abstraction", "What is this, said in words?"),
    Road("chunking", "Chunking", "What do I call this block when I see it?"),
    Road("action", "Action", "What does it do?"),
)

DEFAULT_FIELDS = (
    FieldSpec("title", "text", True, "Title", "the concept's name", "{title}"),
    FieldSpec("chunk", "text", True, "Chunk name",
              "what a reader says on spotting this block inside a bigger formula",
              "TODO name of the block"),
    FieldSpec("abstraction", "text", True, "In words",
              "one or two plain sentences, no symbols: what is this, in words?",
              "TODO say what {title} is, in words."),
    FieldSpec("action", "text", False, "What it does", "what it does, in one sentence",
              "TODO what it does."),
    FieldSpec("formula", "tex", True, "Formula",
              "TeX for KaTeX; wrap sub-expressions that are other entries in \\chunk{slug}{...}",
              "TODO"),
    FieldSpec("road", "road", False, "Road", "the road this entry teaches best", ""),
    FieldSpec("aliases", "list", False, "Also called", "other names that [[links]] may use"),
    FieldSpec("tags", "list", False, "Tags", "each tag gets a page"),
    FieldSpec("symbols", "map", False, "Symbols",
              "what each symbol of the formula means: {\"\\\\eta\": learning rate}"),
    FieldSpec("recognize", "list", False, "Recognized by",
              "TeX fragments that are this entry when they appear in another formula"),
    FieldSpec("params", "params", False, "Parameters",
              "values to sweep, the first is the default: {beta: [0.9, 0.5, 0.98]}"),
)


@dataclass(frozen=True)
class Vocabulary:
    """Relation kinds, roads and entry fields in their display order."""

    relations: tuple[RelationKind, ...] = DEFAULT_RELATIONS
    roads: tuple[Road, ...] = DEFAULT_ROADS
    extra_fields: tuple[FieldSpec, ...] = ()
    """Text fields a project adds to the schema (shown on the entry page)."""

    def relation(self, key: str) -> RelationKind:
        return next(kind for kind in self.relations if kind.key == key)

    @property
    def relation_keys(self) -> tuple[str, ...]:
        return tuple(kind.key for kind in self.relations)

    @property
    def front_matter_relations(self) -> tuple[str, ...]:
        """Relation keys contributors write in front matter, in display order."""
        return tuple(kind.key for kind in self.relations if kind.front_matter)

    @property
    def map_relations(self) -> tuple[RelationKind, ...]:
        return tuple(kind for kind in self.relations if kind.on_map)

    @property
    def road_keys(self) -> tuple[str, ...]:
        return tuple(road.key for road in self.roads)

    def road(self, key: str) -> Road | None:
        return next((road for road in self.roads if road.key == key), None)

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        """The whole entry schema: built-in fields, project fields, then relation lists."""
        relations = tuple(FieldSpec(kind.key, "relation", False, kind.label,
                                    f"{kind.legend}, by slug or alias")
                          for kind in self.relations if kind.front_matter)
        return (*DEFAULT_FIELDS[:4], *self.extra_fields, *DEFAULT_FIELDS[4:], *relations)

    def field(self, key: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.key == key), None)

    @property
    def field_keys(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.fields if spec.required)

    def css(self) -> str:
        """Return the stylesheet that draws each relation kind (light and dark)."""
        light, dark = [], []
        for kind in self.relations:
            s = kind.stroke
            dash = f" stroke-dasharray: {s.dash};" if s.dash else ""
            light.append(f".edge-{kind.key} {{ stroke: {s.color}; stroke-width: {s.width:g};{dash} }}"
                         f"\n.rel-{kind.key} {{ --rel: {s.color}; }}")
            dark.append(f"  .edge-{kind.key} {{ stroke: {s.dark}; }}\n  .rel-{kind.key} {{ --rel: {s.dark}; }}")
        return ("/* Written by the generator from the glossary's vocabulary. */\n"
                + "\n".join(light) + "\n@media (prefers-color-scheme: dark) {\n"
                + "\n".join(dark) + "\n}\n")


class VocabularyError(ValueError):
    """A ``[tool.glossary]`` extension is malformed; the message says which key and why."""


_RELATION_KEYS = {"label", "inverse_label", "legend", "symmetric", "implies", "on_map",
                  "color", "dark_color", "dash", "width", "arrow"}
_ROAD_KEYS = {"name", "meaning"}
_FIELD_KEYS = {"label", "required", "hint"}


def extend(base: Vocabulary, relations: dict, roads: dict, fields: dict) -> Vocabulary:
    """Return ``base`` extended (or relabelled) by tables from ``[tool.glossary]``.

    Raises VocabularyError listing every problem.
    """
    errors: list[str] = []
    kinds = {kind.key: kind for kind in base.relations}
    for key, table in relations.items():
        kind = _relation(key, table, kinds.get(key), errors)
        if kind is not None:
            kinds[key] = kind
    for kind in kinds.values():
        for implied in kind.implies:
            if implied not in kinds:
                errors.append(f"relations.{kind.key}: implies unknown kind '{implied}'")
    road_list = {road.key: road for road in base.roads}
    for key, table in roads.items():
        road = _road(key, table, road_list.get(key), errors)
        if road is not None:
            road_list[key] = road
    builtin = {spec.key for spec in DEFAULT_FIELDS} | set(kinds)
    extra = list(base.extra_fields)
    for key, table in fields.items():
        if key in builtin:
            errors.append(f"fields.{key}: '{key}' is a built-in key")
            continue
        spec = _field(key, table, errors)
        if spec is not None:
            extra.append(spec)
    if errors:
        raise VocabularyError("\n".join(errors))
    return Vocabulary(tuple(kinds.values()), tuple(road_list.values()), tuple(extra))


def _check_table(where: str, key: str, table, allowed: set[str], errors: list[str]) -> bool:
    if not KEY_RE.match(key):
        errors.append(f"{where}.{key}: keys are lower-case letters, digits and underscores")
        return False
    if not isinstance(table, dict):
        errors.append(f"{where}.{key}: must be a table")
        return False
    from .diagnostics import did_you_mean
    unknown = [k for k in table if k not in allowed]
    for name in unknown:
        errors.append(f"{where}.{key}: unknown key '{name}'{did_you_mean(name, allowed)}")
    return not unknown


def _text(table: dict, name: str, default: str, where: str, errors: list[str]) -> str:
    value = table.get(name, default)
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}: '{name}' must be non-empty text")
        return default
    return value.strip()


def _relation(key: str, table, old: RelationKind | None, errors: list[str]) -> RelationKind | None:
    where = f"relations.{key}"
    if not _check_table("relations", key, table, _RELATION_KEYS, errors):
        return None
    if old is None and "label" not in table:
        errors.append(f"{where}: a new relation kind needs a 'label'")
        return None
    base = old or RelationKind(key, "", "", "")
    label = _text(table, "label", base.label, where, errors)
    symmetric = table.get("symmetric", base.symmetric)
    inverse = _text(table, "inverse_label", base.inverse_label or label, where, errors)
    stroke = base.stroke
    changes = {k: table[k] for k in ("dash", "width", "arrow") if k in table}
    if "color" in table:
        changes["color"] = table["color"]
    if "dark_color" in table:
        changes["dark"] = table["dark_color"]
    for name, value in changes.items():
        expected = {"width": (int, float), "arrow": bool}.get(name, str)
        if not isinstance(value, expected) or (name == "width" and isinstance(value, bool)):
            errors.append(f"{where}: '{name}' has the wrong type")
            return None
        if name in ("color", "dark") and not re.fullmatch(r"#[0-9a-fA-F]{3,8}|[a-z]+", value):
            errors.append(f"{where}: '{name}' must be a CSS colour like '#b26b00'")
            return None
        if name == "dash" and not re.fullmatch(r"[0-9 .]*", value):
            errors.append(f"{where}: 'dash' must be numbers like '4 2'")
            return None
    implies = table.get("implies", list(base.implies))
    if not isinstance(symmetric, bool) or not isinstance(implies, list):
        errors.append(f"{where}: 'symmetric' is true or false and 'implies' a list of kinds")
        return None
    if not old and "arrow" not in changes:
        changes["arrow"] = not symmetric
    legend = table.get("legend") or base.legend or (
        label.lower() if symmetric or inverse == label else f"{label.lower()} / {inverse.lower()}")
    return replace(base, key=key, label=label, inverse_label=inverse, legend=str(legend),
                   symmetric=symmetric, implies=tuple(implies),
                   on_map=bool(table.get("on_map", base.on_map)),
                   stroke=replace(stroke, **changes))


def _road(key: str, table, old: Road | None, errors: list[str]) -> Road | None:
    if not _check_table("roads", key, table, _ROAD_KEYS, errors):
        return None
    where = f"roads.{key}"
    name = _text(table, "name", old.name if old else key.replace("_", " ").title(), where, errors)
    meaning = _text(table, "meaning", old.meaning if old else "", where, errors) \
        if ("meaning" in table or old) else ""
    if not meaning:
        errors.append(f"{where}: a new road needs a one-line 'meaning'")
        return None
    return Road(key, name, meaning)


def _field(key: str, table, errors: list[str]) -> FieldSpec | None:
    if not _check_table("fields", key, table, _FIELD_KEYS, errors):
        return None
    where = f"fields.{key}"
    label = _text(table, "label", key.replace("_", " ").capitalize(), where, errors)
    required = table.get("required", False)
    if not isinstance(required, bool):
        errors.append(f"{where}: 'required' is true or false")
        return None
    return FieldSpec(key, "text", required, label, str(table.get("hint", "")))
