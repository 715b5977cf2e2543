"""A page's address as a QR code, for its printed card (issue 21).

Made at build time by segno (pure Python, no network service), as a small
inline SVG: one path of stroked module rows (segno's compact output), no XML
declaration, no size (the stylesheet sizes it), presentation attributes only
(the site's Content-Security-Policy drops style attributes). The same path data
is what card-image.js draws into the shareable image (Path2D), so the printed
card and the image carry the same code.
"""

from __future__ import annotations

import html
import io

import segno

LABEL = "本页网址的二维码"
CSS_CLASS = "portal-qr"


def qr_svg(text: str, label: str = LABEL) -> str:
    """<svg> of a QR code holding text: error correction M at least (segno
    raises it while the symbol stays the same size), the standard quiet zone
    of four modules, role="img" and a Chinese aria-label."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, omitsize=True, nl=False,
              svgclass=CSS_CLASS, lineclass=None, dark="#000")
    svg = out.getvalue().decode("utf-8")
    if not svg.startswith("<svg "):  # segno's writer changed: the build stops rather than print a broken card
        raise ValueError("unexpected SVG from segno")
    return f'<svg role="img" aria-label="{html.escape(label)}" ' + svg[len("<svg "):]
