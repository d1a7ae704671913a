"""HTML input: decode raw bytes and turn a page into plain text the way a simple scraper would.

Everything visible is kept (navigation, footers and sidebars included): removing boilerplate is the
cleaner's job, not this module's. Each block-level element starts a new line, inline elements are
joined with spaces, whitespace inside a line is collapsed and empty lines are dropped.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

__all__ = ["BLOCK_TAGS", "DROP_TAGS", "decode_html", "html_to_text"]

_MISSING_EXTRA = "HTML input needs the 'html' extra: pip install 'dedup[html]'"

# Elements whose contents a reader never sees as text. The fallback content of <object>, <video>
# and <audio> is kept: it is shown when the plugin or media cannot play, and often holds a caption.
DROP_TAGS: tuple[str, ...] = (
    "head", "title", "script", "style", "noscript", "template", "iframe", "svg", "math",
)  # fmt: skip

# Elements that start and end a line.
BLOCK_TAGS: frozenset[str] = frozenset(
    (
        "address", "article", "aside", "blockquote", "body", "caption", "center", "details",
        "dialog", "dd", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
        "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
        "html", "legend", "li", "listing", "main", "menu", "nav", "ol", "optgroup", "option", "p",
        "plaintext", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul", "xmp",
    )
)  # fmt: skip

# A character that never survives as text: marks a line break while the text is assembled.
_BREAK = "\x1e"
_WS_RE = re.compile(r"[^\S\x1e]+")
_BREAKS_RE = re.compile(r"\s*\x1e[\s\x1e]*")

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.IGNORECASE)
# What the WHATWG encoding standard maps these labels to.
_CHARSET_ALIASES = {
    "iso-8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "iso-8859-9": "windows-1254",
    "tis-620": "cp874",
    "x-sjis": "shift_jis",
    "gb2312": "gbk",
    "x-user-defined": "windows-1252",
}


def _charset_codec(label: bytes) -> str | None:
    """Map a charset label from a page to a Python codec name, or None if unknown."""
    name = label.decode("ascii", "ignore").strip().lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # A page cannot truly declare UTF-16 inside ASCII-compatible bytes: browsers read it as UTF-8.
    if codec.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return codec


def decode_html(raw: bytes, declared: str | None = None) -> str:
    """Decode HTML bytes by BOM, else `declared` (HTTP charset), else meta/XML charset, else UTF-8."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="replace")
    http_codec = _charset_codec(declared.encode("ascii", "ignore")) if declared else None
    if http_codec:
        return raw.decode(http_codec, errors="replace")
    head = raw[:4096]
    for pattern in (_XML_ENCODING_RE, _META_CHARSET_RE):
        match = pattern.search(head)
        if match:
            declared = _charset_codec(match.group(1))
            if declared:
                return raw.decode(declared, errors="replace")
    return raw.decode("utf-8", errors="replace")


def _parser_class() -> Any:
    """Import selectolax's Lexbor parser lazily, explaining the optional extra when missing."""
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_MISSING_EXTRA) from exc
    return LexborHTMLParser


def html_to_text(html: str) -> str:
    """Return all visible text of an HTML page, one block-level element per line."""
    parser_class = _parser_class()
    if not html or not html.strip():
        return ""
    # The break marker and NULs must not come from the page itself.
    if _BREAK in html or "\x00" in html:
        html = html.replace(_BREAK, " ").replace("\x00", " ")
    tree = parser_class(html)
    tree.strip_tags(list(DROP_TAGS))
    root = tree.root
    if root is None:
        return ""

    parts: list[str] = []
    append = parts.append
    # Explicit stack instead of recursion: broken pages can nest thousands of levels deep.
    # An entry is a node to visit, or a str pushed to be emitted once a block's children are done.
    stack: list[Any] = [root]
    pre_depth = 0
    pop = stack.pop
    push = stack.append
    while stack:
        node = pop()
        if isinstance(node, str):
            if node == "</pre>":
                pre_depth -= 1
                append(_BREAK)
            else:
                append(node)
            continue
        if node.is_text_node:
            text = node.text_content
            if text:
                append(text.replace("\n", _BREAK) if pre_depth else text)
            continue
        if not node.is_element_node and not node.is_document_node:
            continue  # comments, doctype, processing instructions
        tag = node.tag
        if tag == "br":
            append(_BREAK)
            continue
        if tag == "img" or tag == "input":
            continue
        if tag == "pre" or tag == "textarea" or tag == "listing":
            pre_depth += 1
            append(_BREAK)
            push("</pre>")
        elif tag in BLOCK_TAGS:
            append(_BREAK)
            push(_BREAK)
        else:
            # Inline elements are separated from their neighbours by a space.
            append(" ")
            push(" ")
        children = list(node.iter(include_text=True))
        if children:
            children.reverse()
            stack.extend(children)

    text = _WS_RE.sub(" ", "".join(parts))
    lines = _BREAKS_RE.split(text)
    return "\n".join(line for line in (ln.strip() for ln in lines) if line)
