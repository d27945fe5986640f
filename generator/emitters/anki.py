"""``glossary build --format anki``: an Anki deck to drill the chunks (``glossary.apkg``).

One note per entry: the front shows the formula, the back its chunk name,
abstraction, action and a link to the page. Deck, model and note ids come
from stable hashes of the title and slugs, so importing a newer deck updates
the cards instead of duplicating them. The package is rewritten with fixed
timestamps, so the same glossary gives the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import io
import tempfile
import zipfile
from pathlib import Path

from ..render import SiteModel, entry_url
from . import OutputFile

EPOCH = 1_700_000_000.0
"""The timestamp written into the deck (a fixed one keeps the file reproducible)."""

CARD_CSS = """.card { font-family: system-ui, sans-serif; font-size: 18px; text-align: center; }
.chunk { background: #fff3c4; border-radius: 3px; box-shadow: 0 0 0 1px #d4a72c; }
.fade { opacity: .35; }
.back p { text-align: left; max-width: 34em; margin: .5em auto; }
.chunk-name { font-size: 1.3em; font-style: italic; }
"""


def stable_id(*parts: str) -> int:
    """Return a positive 31-bit id that depends only on ``parts``."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF | 1 << 30


def emit(model: SiteModel) -> list[OutputFile]:
    import genanki  # only needed for this format

    title = model.config.title
    note_model = genanki.Model(
        stable_id("model", title), f"{title} (chunks)",
        fields=[{"name": "Slug"}, {"name": "Formula"}, {"name": "Chunk"},
                {"name": "Abstraction"}, {"name": "Action"}, {"name": "Link"}],
        templates=[{"name": "Formula to chunk",
                    "qfmt": '<div class="front">{{Formula}}</div><p>What is this block called?</p>',
                    "afmt": '{{FrontSide}}<hr id="answer"><div class="back">'
                            '<p class="chunk-name">{{Chunk}}</p><p>{{Abstraction}}</p>'
                            '<p>{{Action}}</p><p>{{Link}}</p></div>'}],
        css=_imports(model) + CARD_CSS, sort_field_index=0)
    deck = genanki.Deck(stable_id("deck", title), title)
    base = model.config.base_url.rstrip("/") + "/" if model.config.base_url else ""
    for rendered in model.entries:
        entry = rendered.entry
        page = entry_url(entry.slug, "")
        link = (f'<a href="{html.escape(base + page)}">{html.escape(entry.title)}</a>' if base
                else html.escape(f"{entry.title} ({page})"))
        deck.add_note(genanki.Note(
            model=note_model, guid=genanki.guid_for(title, entry.slug),
            fields=[entry.slug, rendered.formula_preview, html.escape(entry.chunk),
                    html.escape(entry.abstraction), html.escape(entry.action), link],
            tags=[t.replace(" ", "_") for t in entry.tags]))
    with tempfile.TemporaryDirectory() as folder:
        media = _media(model, Path(folder))
        package = genanki.Package(deck, media_files=[str(p) for p in media])
        raw = Path(folder) / "deck.apkg"
        package.write_to_file(str(raw), timestamp=EPOCH)
        data = _reproducible_zip(raw.read_bytes())
    return [OutputFile("glossary.apkg", data, origin="the Anki deck")]


def _imports(model: SiteModel) -> str:
    """Return ``@import`` lines for the math engine's stylesheets (flat media names)."""
    return "".join(f'@import url("_{Path(dest).name}");\n'
                   for _, dest in model.engine.stylesheets() if dest.endswith(".css"))


def _media(model: SiteModel, folder: Path) -> list[Path]:
    """Return KaTeX's stylesheet and fonts as flat Anki media files (names start with _)."""
    files = []
    for source, dest in model.engine.stylesheets():
        target = folder / ("_" + Path(dest).name)
        data = source.read_bytes()
        if source.suffix == ".css":
            data = data.replace(b"url(fonts/", b"url(_")
        target.write_bytes(data)
        files.append(target)
    return sorted(files)


def _reproducible_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed dates and sorted names."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return out.getvalue()
