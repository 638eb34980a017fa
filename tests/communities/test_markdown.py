from html.parser import HTMLParser

import pytest

from communities.markdown import render_markdown


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str):
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def test_markdown_renders_formatting_and_links():
    html = render_markdown("**bold** and [docs](https://acme.example/docs)")
    assert "<strong>bold</strong>" in html
    assert ("a", {"href": "https://acme.example/docs", "rel": "noopener noreferrer nofollow"}) in (
        elements(html)
    )


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "![x](data:image/svg+xml;base64,PHN2Zz4=)",
        '<iframe src="https://evil.example"></iframe>',
        "[x](JaVaScRiPt:alert(1))",
    ],
)
def test_markdown_output_has_no_script_handlers_or_dangerous_urls(source):
    for tag, attrs in elements(render_markdown(source)):
        assert tag not in {"script", "iframe", "object", "embed", "style"}
        assert not any(name.startswith("on") for name in attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:"))
