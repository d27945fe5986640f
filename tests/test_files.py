"""Hostile and clumsy entry trees: links out of the folder, odd names, huge and odd files."""

from __future__ import annotations

import os
import signal
import time

import pytest

from conftest import entry, soup, write_entries


def errors_of(run) -> list[tuple[str, int, str]]:
    return [(d["path"], d["line"], d["message"]) for d in run.report["diagnostics"]
            if d["severity"] == "error"]


@pytest.fixture
def secret(tmp_path):
    """A file outside the project that an attacker would like to publish."""
    outside = tmp_path / "outside"
    outside.mkdir()
    text = entry("token")[1].replace("What token is.", "TOKEN-9f3a1c")
    (outside / "token.md").write_text(text)
    return outside / "token.md"


def test_a_file_link_leading_outside_is_refused_and_not_read(tmp_path, glossary, secret,
                                                            monkeypatch):
    project = write_entries(tmp_path / "p", dict([entry("relu")]))
    os.symlink(secret, project / "entries/stolen.md")
    opened = []
    real_read = type(secret).read_bytes
    monkeypatch.setattr(type(secret), "read_bytes",
                        lambda self: opened.append(self.resolve()) or real_read(self))
    run = glossary(project, "build", "--json")
    assert run.code == 1
    [(path, line, message)] = errors_of(run)
    assert (path, line) == ("entries/stolen.md", 1)
    assert message.startswith("symbolic link to a file outside the entries folder")
    assert secret.resolve() not in opened
    assert "TOKEN-9f3a1c" not in run.stdout + run.stderr
    assert not (project / "site").exists()


def test_a_folder_link_leading_outside_is_refused(tmp_path, glossary, secret):
    project = write_entries(tmp_path / "p", dict([entry("relu")]))
    os.symlink(secret.parent, project / "entries/more")
    run = glossary(project, "check", "--json")
    assert run.code == 1
    [(path, line, message)] = errors_of(run)
    assert (path, line) == ("entries/more", 1)
    assert "symbolic link to a folder outside the entries folder" in message
    assert "TOKEN-9f3a1c" not in run.stdout + run.stderr


def test_a_link_that_stays_inside_is_fine(tmp_path, glossary):
    project = write_entries(tmp_path, dict([entry("relu")]))
    (project / "entries/drafts").mkdir()
    os.symlink(project / "entries/relu.md", project / "entries/drafts/rectifier.md")
    run = glossary(project, "check", "--json")
    assert run.code == 0, run.stdout


def test_a_fifo_named_like_an_entry_does_not_hang_the_build(tmp_path, glossary):
    project = write_entries(tmp_path, dict([entry("relu")]))
    os.mkfifo(project / "entries/pipe.md")

    def hang(signum, frame):
        raise AssertionError("the build opened the FIFO and hangs")
    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(30)
    try:
        run = glossary(project, "check", "--json")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert errors_of(run) == [("entries/pipe.md", 1,
                               "not a regular file: an entry must be a plain markdown file")]


@pytest.mark.parametrize("name, suggestion", [
    ("Layer Norm.md", "layer-norm.md"),
    ("ReLU.md", "relu.md"),
    ("Übersicht der Größen.md", "bersicht-der-gr-en.md"),  # accents dropped, as slugify does
    ("soft_max.md", "soft-max.md"),
])
def test_odd_file_names_get_a_clear_error_with_a_clean_name(tmp_path, glossary, name, suggestion):
    _, text = entry("x")
    write_entries(tmp_path, {f"entries/{name}": text})
    run = glossary(tmp_path, "check", "--json")
    assert run.code == 1
    [(path, line, message)] = errors_of(run)
    assert (path, line) == (f"entries/{name}", 1)
    assert message.startswith(f"file name '{name}' is not a valid slug")
    assert message.endswith(f"rename it to '{suggestion}'")


def test_a_name_with_no_latin_letters_still_gets_a_clear_error(tmp_path, glossary):
    write_entries(tmp_path, {"entries/注意力.md": entry("x")[1]})
    run = glossary(tmp_path, "check", "--json")
    [(path, _, message)] = errors_of(run)
    assert path == "entries/注意力.md" and "use lower-case a-z, 0-9 and single hyphens" in message


@pytest.mark.slow
def test_a_ten_megabyte_entry_is_checked_in_bounded_time(tmp_path, glossary):
    paragraph = "Softmax turns scores into weights that add up to one. " * 20 + "\n\n"
    body = paragraph * (10_000_000 // len(paragraph) + 1)
    write_entries(tmp_path, dict([entry("huge", body=body), entry("relu", body="[[huge]]")]))
    assert (tmp_path / "entries/huge.md").stat().st_size > 10_000_000
    started = time.monotonic()
    run = glossary(tmp_path, "check", "--json")
    assert run.code == 0, run.stdout[:2000]
    assert time.monotonic() - started < 120


def test_crlf_and_bom_files_build_like_plain_ones(tmp_path, glossary):
    _, text = entry("relu", body="Body with $x^2$ and [[gelu]].", code="x = 1\nassert x == 1")
    _, plain = entry("gelu", body="Bad link [[nowhere]].")
    write_entries(tmp_path, {"entries/gelu.md": plain})
    (tmp_path / "entries/relu.md").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    (tmp_path / "entries/gelu.md").write_bytes(plain.replace("\n", "\r\n").encode())
    run = glossary(tmp_path, "build", "--json")
    # Positions count lines as an editor shows them, whatever the line endings.
    assert errors_of(run) == [("entries/gelu.md", 8, "unknown link target 'nowhere' in [[nowhere]]")]
    (tmp_path / "entries/gelu.md").write_bytes(entry("gelu")[1].replace("\n", "\r\n").encode())
    run = glossary(tmp_path, "build", "--json")
    assert run.code == 0, run.stdout
    page = soup(tmp_path / "site/concepts/relu.html")
    assert page.select_one("h1").get_text() == "Relu"
    assert "\r" not in (tmp_path / "site/concepts/relu.html").read_text()


def test_an_entry_deleted_between_builds_is_gone_from_the_site_and_every_index(tmp_path, glossary):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.glossary]\nbase_url = "https://example.org/g/"\n')
    write_entries(tmp_path, dict([entry("relu", tags="[activation]", see_also="[gelu]"),
                                  entry("gelu", tags="[activation]", title="Gaussian ELU")]))
    assert glossary(tmp_path, "build").code == 0
    site = tmp_path / "site"
    assert (site / "cards/gelu.js").is_file()  # its hover card (gone below: no *gelu* file)
    indexes = ["search-index.js", "sitemap.xml", "map.html", "index.html",
               "roads.html", "tags/activation.html", "concepts/relu.html"]
    assert all("gelu" in (site / name).read_text() for name in indexes[:-1])
    (tmp_path / "entries/gelu.md").unlink()
    write_entries(tmp_path, dict([entry("relu", tags="[activation]")]))
    assert glossary(tmp_path, "build").code == 0
    assert not (site / "concepts/gelu.html").exists()
    for name in indexes:
        text = (site / name).read_text()
        assert "gelu" not in text and "Gaussian ELU" not in text, name
    assert not list(site.rglob("*gelu*"))
