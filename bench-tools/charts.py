#!/usr/bin/env python3
"""Draws JMH results as SVG bar charts, one chart per benchmark method.

Reads any number of JSON result files: JMH's `-rf json` output, and the output of
bench-tools/node-bench.mjs, which has the same shape. Results are grouped by benchmark
(class and method) and mode; each group becomes one SVG with one horizontal bar per @Param
combination, an error bar from scoreError (JMH's 99.9% confidence interval), and the axis in
scoreUnit. Results of one group that come in different units (ns/op and us/op, say) are
converted to the unit of the first. When the scores of a group span more than 100x the axis is
logarithmic (see --log). A Markdown table of all results goes to standard output.

Usage, from the repository root:

  python3 bench-tools/charts.py /tmp/compute.json /tmp/node.json -o docs/charts/ \
      --order JAVA,COMPILER,RAW_CHICORY,NODE_V8,INTERPRETER --baseline COMPILER

Python 3 standard library only; the SVG is written by hand.
"""

import argparse
import json
import math
import os
import re
import sys
from xml.sax.saxutils import escape

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D1F", "#555555"]

TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "hr": 3600.0, "day": 86400.0}

MODES = {
    "avgt": ("average time per operation", "lower is better"),
    "sample": ("sampled time per operation", "lower is better"),
    "ss": ("single-shot time", "lower is better"),
    "thrpt": ("throughput", "higher is better"),
}

FONT = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""


# ---------------------------------------------------------------------------------------------
# Reading results


class Result:
    def __init__(self, benchmark, mode, params, score, error, unit, source):
        self.benchmark = benchmark
        self.mode = mode
        self.params = params
        self.score = score
        self.error = error
        self.unit = unit
        self.source = source
        self.label = None


def number(value):
    """JMH writes NaN and infinities as strings."""
    if value is None:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def read_results(paths):
    results = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            sys.exit(f"charts.py: cannot read {path}: {e}")
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            sys.exit(f"charts.py: {path}: expected a JSON array of results")
        for i, entry in enumerate(data):
            try:
                metric = entry["primaryMetric"]
                results.append(
                    Result(
                        benchmark=entry["benchmark"],
                        mode=entry.get("mode", "avgt"),
                        params=dict(entry.get("params") or {}),
                        score=number(metric["score"]),
                        error=number(metric.get("scoreError")),
                        unit=metric.get("scoreUnit", ""),
                        source=os.path.basename(path),
                    )
                )
            except (KeyError, TypeError) as e:
                sys.exit(f"charts.py: {path}: result {i} lacks {e}")
    if not results:
        sys.exit("charts.py: no results in " + ", ".join(paths))
    return results


# ---------------------------------------------------------------------------------------------
# Units


def parse_unit(unit):
    """('time', seconds per unit) for 'us/op', ('rate', ops per second) for 'ops/ms', else None."""
    m = re.fullmatch(r"(\w+|µs)/op", unit)
    if m and m.group(1) in TIME_UNITS:
        return ("time", TIME_UNITS[m.group(1)])
    m = re.fullmatch(r"ops/(\w+|µs)", unit)
    if m and m.group(1) in TIME_UNITS:
        return ("rate", 1.0 / TIME_UNITS[m.group(1)])
    return None


def convert(value, from_unit, to_unit):
    if from_unit == to_unit:
        return value
    a, b = parse_unit(from_unit), parse_unit(to_unit)
    if a is None or b is None or a[0] != b[0]:
        raise ValueError(f"cannot convert {from_unit} to {to_unit}")
    return value * a[1] / b[1]


def pretty_unit(unit):
    return unit.replace("us/", "µs/").replace("/us", "/µs")


def fmt_number(x):
    """A short, readable number: 3 significant digits, thousands separators for big ones."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    digits = min(9, 2 - int(math.floor(math.log10(ax))))
    return f"{x:.{digits}f}"


def fmt_ratio(x):
    """A ratio to the baseline: 0.46×, 1.06×, 84.0×, 481×."""
    if not math.isfinite(x):
        return "?"
    return (f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}") + "×"


def human(value, unit):
    """'612 µs', '2.41 ms' for time units; '1.2M ops/s' for rates; else the number and unit."""
    kind = parse_unit(unit)
    if kind and kind[0] == "time" and value > 0:
        seconds = value * kind[1]
        for name, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
            if seconds >= scale * 0.9995 or name == "ns":
                return f"{fmt_number(seconds / scale)} {name}"
    if kind and kind[0] == "rate" and value > 0:
        for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3), ("", 1.0)):
            if value >= scale * 0.9995 or suffix == "":
                return f"{fmt_number(value / scale)}{suffix} {pretty_unit(unit)}"
    return f"{fmt_number(value)} {pretty_unit(unit)}"


def tick_label(value, unit):
    kind = parse_unit(unit)
    if kind and kind[0] == "time" and value > 0:
        seconds = value * kind[1]
        for name, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
            if seconds >= scale * 0.9995 or name == "ns":
                return f"{round(seconds / scale, 6):g} {name}"
    if value == 0:
        return "0"
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


# ---------------------------------------------------------------------------------------------
# Grouping and labels


def group_results(results):
    groups = {}
    for r in results:
        groups.setdefault((r.benchmark, r.mode), []).append(r)
    return groups


def short_name(benchmark):
    parts = benchmark.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else benchmark


def label_group(rows):
    """Sets each row's label from the params that vary within the group; returns the fixed ones."""
    keys = []
    for r in rows:
        for k in r.params:
            if k not in keys:
                keys.append(k)
    varying = [k for k in keys if len({r.params.get(k) for r in rows}) > 1]
    fixed = {k: rows[0].params.get(k) for k in keys if k not in varying}
    for r in rows:
        if len(varying) == 1:
            r.label = str(r.params.get(varying[0]))
        elif varying:
            r.label = ", ".join(f"{k}={r.params.get(k)}" for k in varying)
        elif r.params:
            r.label = ", ".join(f"{k}={v}" for k, v in r.params.items())
        else:
            r.label = r.benchmark.split(".")[-1]
    seen = {}
    for r in rows:
        seen[r.label] = seen.get(r.label, 0) + 1
    dupes = [r for r in rows if seen[r.label] > 1]
    for r in dupes:
        same = [d for d in dupes if d.label == r.label]
        if len({d.source for d in same}) == len(same):
            r.suffix = f" [{r.source}]"
        else:
            r.suffix = f" #{same.index(r) + 1}"
    for r in dupes:
        r.label += r.suffix
    return fixed


def matches(row, spec):
    """'COMPILER' matches a row labelled COMPILER or any param equal to it; 'way=COMPILER' the param."""
    if "=" in spec:
        k, v = spec.split("=", 1)
        return str(row.params.get(k.strip())) == v.strip()
    return row.label == spec or spec in (str(v) for v in row.params.values())


def order_rows(rows, order):
    if not order:
        return rows

    def rank(indexed):
        i, r = indexed
        for n, spec in enumerate(order):
            if matches(r, spec):
                return (n, i)
        return (len(order), i)

    return [r for _, r in sorted(enumerate(rows), key=rank)]


# ---------------------------------------------------------------------------------------------
# Scales


def nice_step(span, target=6):
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


class LinearScale:
    log = False

    def __init__(self, hi):
        self.step = nice_step(hi)
        self.lo = 0.0
        self.hi = math.ceil(hi / self.step - 1e-9) * self.step

    def frac(self, v):
        return (v - self.lo) / (self.hi - self.lo)

    def ticks(self):
        n = int(round(self.hi / self.step))
        return [(i * self.step, True) for i in range(n + 1)]


class LogScale:
    log = True

    def __init__(self, lo, hi):
        self.lo_exp = math.floor(math.log10(lo) + 1e-9)
        self.hi_exp = math.ceil(math.log10(hi) - 1e-9)
        if self.hi_exp == self.lo_exp:
            self.hi_exp += 1
        self.lo, self.hi = 10.0**self.lo_exp, 10.0**self.hi_exp

    def frac(self, v):
        v = max(v, self.lo)
        return (math.log10(v) - self.lo_exp) / (self.hi_exp - self.lo_exp)

    def ticks(self):
        out = []
        for e in range(self.lo_exp, self.hi_exp + 1):
            out.append((10.0**e, True))
            if e < self.hi_exp and self.hi_exp - self.lo_exp <= 4:
                out += [(m * 10.0**e, False) for m in (2, 5)]
        return out


# ---------------------------------------------------------------------------------------------
# Drawing


def text_width(s, size):
    """A rough width in pixels of `s` at font size `size` in a sans-serif font."""
    width = 0.0
    for ch in s:
        if ch in "il.,:;|!'":
            width += 0.3
        elif ch in "MW@%":
            width += 0.9
        elif ch.isupper() or ch in "mw_×":
            width += 0.72
        else:
            width += 0.56
    return width * size


def chart_svg(title, subtitle, rows, unit, scale, colours, baseline):
    bar_h, row_h = 22, 36
    label_w = max(110, max(text_width(r.label, 13) for r in rows) + 24)
    value_texts = []
    for r in rows:
        t = human(r.score, unit)
        if math.isfinite(r.error):
            t += f" ± {human(r.error, unit)}"
        ratio = ""
        if baseline is not None and baseline.score > 0:
            ratio = fmt_ratio(r.score / baseline.score) if r is not baseline else "1×"
        value_texts.append((t, ratio))
    value_w = max(text_width(t, 12) for t, _ in value_texts) + 16
    ratio_w = (max(text_width(q, 12) for _, q in value_texts) + 16) if baseline is not None else 0
    plot_w = 520
    width = int(label_w + plot_w + 24 + value_w + ratio_w + 16)
    width = max(width, int(text_width(title, 17) + 40), int(text_width(subtitle, 12) + 40))
    plot_x = label_w
    top = 74 if baseline is None else 88
    plot_h = row_h * len(rows)
    height = int(top + plot_h + 66)

    def x_of(v):
        return plot_x + plot_w * min(1.0, max(0.0, scale.frac(v)))

    o = []
    o.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT}>'
    )
    o.append(f"<title>{escape(title)}</title>")
    o.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    o.append(f'<text x="16" y="28" font-size="17" font-weight="bold" fill="#222">{escape(title)}</text>')
    o.append(f'<text x="16" y="50" font-size="12" fill="#555">{escape(subtitle)}</text>')
    value_x = plot_x + plot_w + 24
    if baseline is not None:
        o.append(
            f'<text x="{value_x + value_w + ratio_w - 8:.1f}" y="{top - 10}" font-size="11" fill="#777" '
            f'text-anchor="end">vs {escape(baseline.label)}</text>'
        )

    # Grid and ticks.
    axis_y = top + plot_h
    for v, major in scale.ticks():
        x = x_of(v)
        o.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" '
            f'stroke="{"#d0d0d0" if major else "#ececec"}" stroke-width="1"/>'
        )
        if major or (scale.log and scale.hi_exp - scale.lo_exp <= 2):
            o.append(
                f'<text x="{x:.1f}" y="{axis_y + 18}" font-size="11" fill="{"#444" if major else "#888"}" '
                f'text-anchor="middle">{escape(tick_label(v, unit))}</text>'
            )
    o.append(f'<line x1="{plot_x}" y1="{axis_y}" x2="{plot_x + plot_w}" y2="{axis_y}" stroke="#444" stroke-width="1"/>')
    o.append(f'<line x1="{plot_x}" y1="{top - 4}" x2="{plot_x}" y2="{axis_y}" stroke="#444" stroke-width="1"/>')
    axis_title = f"{pretty_unit(unit)}{', log scale' if scale.log else ''}"
    o.append(
        f'<text x="{plot_x + plot_w / 2:.1f}" y="{axis_y + 40}" font-size="12" fill="#444" '
        f'text-anchor="middle">{escape(axis_title)}</text>'
    )

    # Bars.
    bold = ' font-weight="bold"'
    for i, r in enumerate(rows):
        y = top + i * row_h + (row_h - bar_h) / 2
        cy = y + bar_h / 2
        colour = colours[r.label]
        x0 = x_of(scale.lo)
        x1 = x_of(r.score)
        tip = f"{r.label}: {fmt_number(r.score)} ± {fmt_number(r.error)} {pretty_unit(unit)} ({r.source})"
        o.append(
            f'<text x="{plot_x - 10}" y="{cy + 4.5:.1f}" font-size="13" fill="#222" text-anchor="end"'
            f'{bold if r is baseline else ""}>{escape(r.label)}</text>'
        )
        o.append(
            f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(1.0, x1 - x0):.1f}" height="{bar_h}" '
            f'fill="{colour}" fill-opacity="0.85"><title>{escape(tip)}</title></rect>'
        )
        if math.isfinite(r.error) and r.error > 0:
            lo, hi = r.score - r.error, r.score + r.error
            xl = x_of(lo) if lo > scale.lo else x0
            xh = x_of(hi)
            o.append(f'<line x1="{xl:.1f}" y1="{cy:.1f}" x2="{xh:.1f}" y2="{cy:.1f}" stroke="#222" stroke-width="1.3"/>')
            if lo > scale.lo:
                o.append(f'<line x1="{xl:.1f}" y1="{cy - 6:.1f}" x2="{xl:.1f}" y2="{cy + 6:.1f}" stroke="#222" stroke-width="1.3"/>')
            if hi <= scale.hi:
                o.append(f'<line x1="{xh:.1f}" y1="{cy - 6:.1f}" x2="{xh:.1f}" y2="{cy + 6:.1f}" stroke="#222" stroke-width="1.3"/>')
            else:  # clipped at the axis end: an arrow head
                o.append(
                    f'<path d="M{xh - 7:.1f},{cy - 5:.1f} L{xh:.1f},{cy:.1f} L{xh - 7:.1f},{cy + 5:.1f}" '
                    f'fill="none" stroke="#222" stroke-width="1.3"/>'
                )
        t, ratio = value_texts[i]
        o.append(f'<text x="{value_x:.1f}" y="{cy + 4:.1f}" font-size="12" fill="#222">{escape(t)}</text>')
        if ratio:
            o.append(
                f'<text x="{value_x + value_w + ratio_w - 8:.1f}" y="{cy + 4:.1f}" font-size="12" fill="#555" '
                f'text-anchor="end"{bold if r is baseline else ""}>{escape(ratio)}</text>'
            )
    o.append("</svg>")
    return "\n".join(o) + "\n"


def make_scale(rows, log_mode):
    scores = [r.score for r in rows if math.isfinite(r.score)]
    positive = [s for s in scores if s > 0]
    if not scores:
        raise ValueError("no finite scores")
    spread = (max(positive) / min(positive)) if positive else 1.0
    use_log = log_mode == "on" or (log_mode == "auto" and spread > 100)
    if use_log and not positive:
        use_log = False
    # Error bars may stretch the axis, but not beyond 3x the largest score (then they are clipped).
    hi = max(scores)
    for r in rows:
        if math.isfinite(r.error):
            hi = max(hi, min(r.score + r.error, 3 * max(scores)))
    if use_log:
        lo = min(positive)
        for r in rows:
            if math.isfinite(r.error) and r.score - r.error > 0:
                lo = min(lo, r.score - r.error)
        return LogScale(lo, hi)
    return LinearScale(hi if hi > 0 else 1.0)


# ---------------------------------------------------------------------------------------------


def file_name(benchmark, mode, modes_of_benchmark):
    name = short_name(benchmark)
    if modes_of_benchmark > 1:
        name += f"-{mode}"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) + ".svg"


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Draw JMH JSON results (and node-bench.mjs output) as one SVG bar chart per benchmark."
    )
    p.add_argument("files", nargs="+", help="JSON result files: JMH -rf json output, node-bench.mjs output")
    p.add_argument("-o", "--out", default=".", help="directory for the SVG files (created if missing)")
    p.add_argument(
        "--log",
        choices=("auto", "on", "off"),
        default="auto",
        help="logarithmic axis: auto (when a chart's scores span more than 100x), on, off",
    )
    p.add_argument(
        "--order",
        default="",
        help="comma-separated bar order, by param value or k=v, e.g. JAVA,COMPILER,INTERPRETER; others follow",
    )
    p.add_argument(
        "--baseline",
        default=None,
        help="a param value or k=v, e.g. COMPILER: adds each bar's score divided by the score of the "
        "first bar that matches",
    )
    p.add_argument("--quiet", action="store_true", help="do not print the Markdown table")
    args = p.parse_args(argv)

    results = read_results(args.files)
    groups = group_results(results)
    order = [s.strip() for s in args.order.split(",") if s.strip()]
    os.makedirs(args.out, exist_ok=True)

    modes_per_benchmark = {}
    for bench, mode in groups:
        modes_per_benchmark[bench] = modes_per_benchmark.get(bench, 0) + 1

    # Label every group first, so that colours follow labels across all charts.
    prepared = []
    for (bench, mode), rows in groups.items():
        fixed = label_group(rows)
        prepared.append((bench, mode, order_rows(rows, order), fixed))
    colours = {}
    labels_in_order = [r.label for _, _, rows, _ in prepared for r in rows]
    for spec in order:  # listed ones first, so a value keeps its colour however charts differ
        for lab in labels_in_order:
            if lab == spec and lab not in colours:
                colours[lab] = PALETTE[len(colours) % len(PALETTE)]
    for lab in labels_in_order:
        if lab not in colours:
            colours[lab] = PALETTE[len(colours) % len(PALETTE)]

    table = []
    written = []
    for bench, mode, rows, fixed in prepared:
        unit = rows[0].unit
        for r in rows:
            try:
                r.score, r.error = convert(r.score, r.unit, unit), convert(r.error, r.unit, unit)
                r.unit = unit
            except ValueError as e:
                sys.exit(f"charts.py: {bench}: {e}")
        baseline = None
        if args.baseline:
            found = [r for r in rows if matches(r, args.baseline)]
            baseline = found[0] if found else None
            if baseline is None:
                print(f"charts.py: {short_name(bench)}: no bar matches --baseline {args.baseline}", file=sys.stderr)
        scale = make_scale(rows, args.log)
        what, better = MODES.get(mode, (mode, ""))
        parts = [f"{what}, {better}" if better else what, "error bars: 99.9% confidence interval"]
        if fixed:
            parts.append(", ".join(f"{k}={v}" for k, v in fixed.items()))
        subtitle = " · ".join(parts)
        svg = chart_svg(short_name(bench), subtitle, rows, unit, scale, colours, baseline)
        name = file_name(bench, mode, modes_per_benchmark[bench])
        path = os.path.join(args.out, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(svg)
        written.append(path)
        for r in rows:
            ratio = fmt_ratio(r.score / baseline.score) if baseline is not None and baseline.score > 0 else ""
            shown = short_name(bench) + (f" ({mode})" if modes_per_benchmark[bench] > 1 else "")
            error = fmt_number(r.error) if math.isfinite(r.error) else "—"
            table.append((shown, r.label, fmt_number(r.score), error, pretty_unit(unit), ratio))

    if not args.quiet:
        head = ("benchmark", "bar", "score", "± error", "unit", f"vs {args.baseline}" if args.baseline else "")
        cols = [h for h in head if h] if args.baseline else list(head[:5])
        print("| " + " | ".join(cols) + " |")
        print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(cols))) + "|")
        for row in table:
            print("| " + " | ".join(row[: len(cols)]) + " |")
    for path in written:
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
