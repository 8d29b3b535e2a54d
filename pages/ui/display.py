"""Showing values that came from a file as text: Streamlit renders markdown in st.markdown, headers,
alerts and widget labels, so a header such as ``![i](https://example.org/h.png)`` would make every
viewer's browser fetch that address, and ``:red[...]`` or ``[link](...)`` would be drawn as markup."""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones Streamlit's
# markdown, its directives (:red[...], :material/...:) and its LaTeX ($...$) give a meaning to.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'^])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# GitHub-flavoured markdown turns bare addresses into links whatever is escaped: "https://…", "www.…"
# and "name@host.tld". An invisible word joiner inside each pattern leaves the text as typed, unlinked.
_AUTOLINKS = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)")
_WORD_JOINER = "\u2060"


def plain(value: object) -> str:
    """`value` as literal text inside markdown: special characters escaped, no links, on one line."""
    text = _AUTOLINKS.sub(_WORD_JOINER, _LINE_BREAKS.sub(" ", str(value)))
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)
