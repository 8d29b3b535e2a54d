"""Colours and words shared by every chart.

Colours come from the Okabe-Ito palette, which stays distinguishable with the common forms of colour
blindness; every coloured mark also carries a word, so colour is never the only signal.
"""

from __future__ import annotations

from loaders.schema import GRADE_WORDS

# The RAG words every output uses are defined once in measures; charts add the colours.
from measures.views import RAG_WORDS as RAG_WORDS

RAG_COLOURS: dict[str, str] = {
    "green": "#009E73",  # Okabe-Ito bluish green
    "amber": "#E69F00",  # Okabe-Ito orange
    "red": "#D55E00",  # Okabe-Ito vermillion
    "grey": "#999999",  # no rate: nothing fell due
}

# Red and amber are close for people with red-green colour blindness: each also has its own marker
# shape (the RAG_SYMBOLS of measures.views: ● green, ▲ amber, ■ red) and bar pattern, besides its word.
RAG_MARKERS: dict[str, str] = {
    "green": "circle",
    "amber": "triangle-up",
    "red": "square",
    "grey": "circle-open",
}
RAG_PATTERNS: dict[str, str] = {"green": "", "amber": "/", "red": "x", "grey": ""}

WITHIN_TIMESCALE = "#0072B2"  # Okabe-Ito blue
OVER_TIMESCALE = RAG_COLOURS["red"]
EARLY_MET = "#56B4E9"  # Okabe-Ito sky blue: met, but its own legend entry, so not the "within" blue
INVALID = RAG_COLOURS["grey"]
TARGET_LINE = "#000000"
ANNOTATION_LINE = "#555555"  # improvement action events: dotted lines and their labels

# Sequential viridis steps (colour-blind safe), darkest for the worst grade; text colour readable on each.
GRADE_COLOURS: dict[int, str] = {
    1: "#440154",
    2: "#414487",
    3: "#2A788E",
    4: "#22A884",
    5: "#7AD151",
    6: "#FDE725",
}
GRADE_TEXT_COLOURS: dict[int, str] = {1: "white", 2: "white", 3: "white", 4: "black", 5: "black", 6: "black"}
GRADE_LABELS: dict[int, str] = {grade: f"{grade} {word}" for grade, word in GRADE_WORDS.items()}
