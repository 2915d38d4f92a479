# SPDX-License-Identifier: MIT
"""Models in Python's terms, number formats and escaping.

Python's float() and str formatting ignore the locale, so nothing here
changes under a comma-decimal LC_NUMERIC (issue 13, bug 2)."""

import html
import math
import re

# The models in report order (interface contract 1): id, short label, the
# label for users, colour. Unknown models come last, labelled by their id.
MODELS = [
    ("serial", "serial", "serial (one after another, the baseline)", "#7f7f7f"),
    ("gil", "threads under the GIL", "threads under the GIL (standard CPython)", "#d62728"),
    ("procs", "processes", "processes (multiprocessing, with its start method)", "#2ca02c"),
    ("ft", "free-threaded CPython", "free-threaded CPython (3.13t/3.14t)", "#9467bd"),
    ("threads", "free threads (C)", "free threads, no GIL (C; the bound for free-threaded CPython)",
     "#1f77b4"),
    ("gil-old", "the Python 2 GIL", "the Python 2 GIL", "#ff7f0e"),
]
_BY_ID = {m[0]: (i, m) for i, m in enumerate(MODELS)}


def model_rank(m):
    return _BY_ID[m][0] if m in _BY_ID else len(MODELS)


def model_short(m):
    return _BY_ID[m][1][1] if m in _BY_ID else m


def model_label(m):
    return _BY_ID[m][1][2] if m in _BY_ID else m


def model_color(m):
    return _BY_ID[m][1][3] if m in _BY_ID else "#8c564b"


def esc(s):
    """Any value, escaped for HTML text and attribute values."""
    return html.escape("" if s is None else str(s), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def md(s):
    """Text for a Markdown table cell: no raw HTML, no table breaks."""
    s = "" if s is None else str(s)
    s = " ".join(s.split())
    return html.escape(_MD_SPECIAL.sub(r"\\\1", s), quote=False)


def num(s):
    """A finite float from a CSV cell, or None (empty, nan, inf)."""
    if s is None:
        return None
    if isinstance(s, (int, float)):
        v = float(s)
    else:
        s = s.strip()
        if not s:
            return None
        v = float(s)  # ValueError for garbage: the caller names the cell
    return v if math.isfinite(v) else None


def fmt_si(v):
    """Three significant digits with an SI prefix: 2.77 G, 512 k, 0.25."""
    if v is None:
        return "-"
    a = abs(v)
    for lim, d, k in ((999.5e9, 1e12, " T"), (999.5e6, 1e9, " G"), (999.5e3, 1e6, " M"),
                      (999.5, 1e3, " k")):
        if a >= lim:
            return "%.3g%s" % (v / d, k)
    return "%.3g" % v


def fmt_rate(v):
    return "-" if v is None else fmt_si(v) + "/s"


def fmt_us(v):
    """A duration in microseconds, in the unit that reads best."""
    if v is None:
        return "-"
    if v >= 999.5e3:
        return "%.3g s" % (v / 1e6)
    if v >= 999.5:
        return "%.3g ms" % (v / 1e3)
    return "%.3g us" % v


def fmt_s(v):
    return "-" if v is None else fmt_us(v * 1e6)


def fmt_x(r):
    if r is None:
        return "-"
    if r >= 99.95:
        return "%.0f×" % r
    if r >= 9.995:
        return "%.1f×" % r
    return "%.2f×" % r


def fmt_range(lo, hi):
    if lo is None or hi is None:
        return ""
    return "[%s–%s]" % (fmt_x(lo)[:-1], fmt_x(hi))


def fmt_bytes(b):
    for lim, k in ((1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")):
        if b >= lim:
            return "%g%s" % (b / lim, k)
    return "%g" % b


def size_bytes(s):
    """Bytes from a SIZE parameter ("4096", "64K", "256M", "1G", optional B);
    None when it is not one."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgG]?)[bB]?\s*", s or "")
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]


def sortkey(v):
    """Orders parameter values numerically where they are numbers."""
    b = size_bytes(v)
    return (0, b, "") if b is not None else (1, 0, v)


def plural(n, word, many=None):
    return "%d %s" % (n, word if n == 1 else (many or word + "s"))
