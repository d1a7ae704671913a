"""Tests for dedup.io.html: HTML to plain text and byte decoding."""

from __future__ import annotations

import codecs

import pytest

pytest.importorskip("selectolax")

from dedup.io.html import decode_html, html_to_text  # noqa: E402

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <title>Page title is not visible text</title>
  <style>body { color: red; }</style>
  <script>var notText = "hidden script";</script>
</head>
<body>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
  <div class="outer">
    <div class="inner">
      <h1>Main   headline</h1>
      <p>First <b>bold</b> and <i>italic</i>
         words, split over
         source lines.</p>
      <p>Fish &amp; chips &mdash; caf&eacute;&nbsp;menu &lt;ok&gt;</p>
      <p>Line one<br>Line two<br/>Line three</p>
    </div>
    <div dir="rtl"><p>هذا <strong>نص</strong> عربي</p><div>سطر ثان</div></div>
  </div>
  <noscript>Enable JavaScript</noscript>
  <script type="text/javascript">document.write("nope");</script>
  <footer>Contact us | Privacy</footer>
</body>
</html>
"""


def test_html_to_text_lines() -> None:
    """Block elements give one line each; inline text is joined; hidden parts are gone."""
    assert html_to_text(PAGE).splitlines() == [
        "Home",
        "World",
        "Main headline",
        "First bold and italic words, split over source lines.",
        "Fish & chips — café menu <ok>",
        "Line one",
        "Line two",
        "Line three",
        "هذا نص عربي",
        "سطر ثان",
        "Contact us | Privacy",
    ]


def test_html_to_text_drops_invisible_parts() -> None:
    """Script, style, noscript and head contents never reach the text."""
    text = html_to_text(PAGE)
    for hidden in ("color: red", "notText", "document.write", "Enable JavaScript", "Page title"):
        assert hidden not in text


def test_html_to_text_no_empty_lines_or_extra_spaces() -> None:
    """Lines are stripped, single-spaced and never empty."""
    for line in html_to_text(PAGE).splitlines():
        assert line == line.strip()
        assert "  " not in line
        assert line


@pytest.mark.parametrize(
    "broken",
    [
        "",
        "   ",
        "plain text, no tags",
        "<div><p>unclosed <b>bold <i>both",
        "<table><tr><td>cell</div></span></table></p>",
        "<<<>>> <p <div>> </ </>",
        "<html><body>" + "<div>" * 5000 + "deep" + "</div>" * 10,
        "<p>nul\x00byte and \x1e separator</p>",
        "<script>never closed",
        "<!-- unterminated comment <p>x</p>",
    ],
)
def test_broken_html_does_not_raise(broken: str) -> None:
    """Any input yields a string without raising."""
    assert isinstance(html_to_text(broken), str)


def test_broken_html_keeps_text() -> None:
    """Text inside unclosed and deeply nested elements survives."""
    assert html_to_text("<div><p>unclosed <b>bold <i>both") == "unclosed bold both"
    assert html_to_text("<div>" * 5000 + "deep") == "deep"


def test_pre_keeps_its_lines() -> None:
    """Newlines inside <pre> are line breaks."""
    assert html_to_text("<pre>a  b\nc</pre><p>d</p>").splitlines() == ["a b", "c", "d"]


def test_table_cells_and_list_items() -> None:
    """Table cells and list items are blocks of their own."""
    html = "<table><tr><td>a</td><td>b</td></tr></table><ul><li>x</li><li>y</li></ul>"
    assert html_to_text(html).splitlines() == ["a", "b", "x", "y"]


def test_decode_html_meta_charset_windows_1256() -> None:
    """A meta charset declaration picks the codec for Arabic bytes."""
    arabic = "الأخبار العربية اليوم"
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
        f"</head><body><p>{arabic}</p></body></html>"
    )
    raw = page.encode("windows-1256")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    decoded = decode_html(raw)
    assert arabic in decoded
    assert html_to_text(decoded) == arabic


def test_decode_html_meta_charset_short_form() -> None:
    """<meta charset=...> is honoured too."""
    raw = '<meta charset="windows-1256"><p>مرحبا</p>'.encode("windows-1256")
    assert "مرحبا" in decode_html(raw)


def test_decode_html_bom_wins() -> None:
    """A BOM overrides any declaration."""
    raw = codecs.BOM_UTF8 + '<meta charset="windows-1256"><p>مرحبا</p>'.encode()
    assert "مرحبا" in decode_html(raw)
    raw16 = codecs.BOM_UTF16_LE + "<p>مرحبا</p>".encode("utf-16-le")
    assert decode_html(raw16) == "<p>مرحبا</p>"


def test_decode_html_default_utf8_with_replacement() -> None:
    """Without a declaration, UTF-8 is used and bad bytes are replaced."""
    assert decode_html("<p>café</p>".encode()) == "<p>café</p>"
    assert decode_html(b"<p>caf\xe9</p>") == "<p>caf\ufffd</p>"


def test_decode_html_unknown_charset_falls_back() -> None:
    """An unknown charset label falls back to UTF-8."""
    assert decode_html('<meta charset="no-such-codec"><p>é</p>'.encode()).endswith("<p>é</p>")


def test_decode_html_latin1_label_is_windows_1252() -> None:
    """iso-8859-1 is read as windows-1252, as browsers do."""
    raw = '<meta charset="iso-8859-1"><p>“quoted”</p>'.encode("windows-1252")
    assert "“quoted”" in decode_html(raw)


def test_missing_selectolax_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without selectolax, the error says which extra to install."""
    import sys

    monkeypatch.setitem(sys.modules, "selectolax.lexbor", None)
    with pytest.raises(ImportError, match=r"pip install 'dedup\[html\]'"):
        html_to_text("<p>x</p>")
