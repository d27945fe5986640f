"""Files for hosts and crawlers: robots.txt, and sitemap.xml when a base URL is configured."""

from __future__ import annotations

from ..render import SiteModel, entry_url, tag_url
from . import OutputFile


def emit(model: SiteModel) -> list[OutputFile]:
    config = model.config
    if not config.base_url:
        return [OutputFile("robots.txt", b"User-agent: *\nAllow: /\n", origin="robots.txt")]
    base = config.base_url.rstrip("/") + "/"
    pages = ["index.html", "roads.html", "map.html", "tags/index.html", "notation.html"]
    pages += [entry_url(r.slug, "") for r in model.entries]
    pages += [tag_url(tag, "") for tag in model.tags]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{base}{url}</loc></url>" for url in sorted(set(pages))]
    lines.append("</urlset>")
    robots = f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n"
    return [OutputFile("sitemap.xml", ("\n".join(lines) + "\n").encode("utf-8"), origin="sitemap"),
            OutputFile("robots.txt", robots.encode("utf-8"), origin="robots.txt")]
