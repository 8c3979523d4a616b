"""Rendered folium elements put into the page as text, not compiled again as templates.

branca's ``MacroElement.render`` renders an element's header, html and script macros, then
wraps each rendered text in a new ``Element``, which makes it a Jinja template: lexed, parsed
and compiled to Python on every map drawn, for every marker, layer and control, then rendered
a second time when the page is put together. Under load that was a tenth of a server's
Python time (issue #27; before it, the grids' 200 KB GeoJSON alone a fifth). :func:`install`
replaces ``MacroElement.render`` with :func:`plain_render`, which does the same but keeps the
text as it is: the page is the same (``tests/test_folium_text.py`` draws maps both ways)."""

from __future__ import annotations

from branca.element import Element, Figure, MacroElement

_ORIGINAL_RENDER = MacroElement.render


class PageText(Element):
    """Text put into the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def plain_render(self: MacroElement, **kwargs) -> None:
    """``MacroElement.render``, with the rendered parts kept as :class:`PageText`."""
    figure = self.get_root()
    assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
    for part in ("header", "html", "script"):
        macro = self._template.module.__dict__.get(part)
        if macro is not None:
            getattr(figure, part).add_child(PageText(macro(self, kwargs)), name=self.get_name())
    for child in self._children.values():
        child.render(**kwargs)


def install() -> None:
    """Make every folium element render through :func:`plain_render` (idempotent)."""
    MacroElement.render = plain_render


def uninstall() -> None:
    """branca's own render again (for the tests that compare the two)."""
    MacroElement.render = _ORIGINAL_RENDER
