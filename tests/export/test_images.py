"""Chart files (par/chart_export.py): every dashboard chart as PNG, SVG and PDF through kaleido
and Debian's Chromium; Vietnamese text really rendered; the same figure gives the same bytes;
the CLI writes exactly what the library returns."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from PIL import Image, ImageStat

from par import load_criteria, read_inputs, read_units, score
from par.analysis.trends import get_trend
from par.export.images import (
    DEFAULT_WIDTH,
    FONT_FAMILY,
    chart_figure,
    export_chart,
    export_figure,
    find_browser,
    prepared,
)
from par.present.figures import TEMPLATE

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = ROOT / "criteria/nghe-an-huyen-2019.yaml"
INPUTS = [ROOT / "data/inputs/huyen-2019-self.csv", ROOT / "data/inputs/huyen-2019-appraisal.csv"]
KINDS = ["ranking", "domains", "heatmap", "distribution", "trend"]
SET_TITLE = "Bộ chỉ số CCHC cấp huyện tỉnh Nghệ An năm 2019 (minh họa)"

pytestmark = pytest.mark.skipif(find_browser() is None,
                                reason="needs Chromium (scripts/setup-system.sh)")


@pytest.fixture(scope="module")
def sample():
    criteria, units = load_criteria(CRITERIA), read_units(ROOT / "data/units.csv")
    rows, _ = read_inputs(INPUTS, criteria, units)
    card = score(criteria, units, rows)
    return card, get_trend(criteria, units, rows, ["cua-lo"])


def _chart(sample, kind, fmt="png", **kw):
    card, trend = sample
    return export_chart(card, kind, fmt, unit="cua-lo", trend=trend, criterion="3.3.1", **kw)


def _figure(sample, kind):
    card, trend = sample
    return chart_figure(card, kind, "cua-lo", trend=trend, criterion="3.3.1")


def _svg_text(svg: bytes) -> str:
    """The text the SVG draws (its <text> elements), XML entities decoded."""
    import html

    return " ".join(html.unescape(m) for m in re.findall(r"<text[^>]*>(.*?)</text>",
                                                         svg.decode("utf-8")))


# -- PNG ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_png_has_the_expected_size_and_is_not_blank(sample, kind):
    fig = _figure(sample, kind)
    png = _chart(sample, kind, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size == (2 * DEFAULT_WIDTH, 2 * fig.layout.height)  # scale 2
    assert ImageStat.Stat(image).stddev[0] > 20  # bars, cells or lines, not a blank page
    # the title band holds drawn text: without usable fonts kaleido silently draws none
    title = image.crop((0, 0, image.width // 2, 2 * 75))
    assert ImageStat.Stat(title).extrema[0][0] < 100


def test_scale_and_size_are_honoured(sample):
    card, _ = sample
    png = export_figure(chart_figure(card, "ranking"), "png", scale=1, width=640, height=480)
    assert Image.open(io.BytesIO(png)).size == (640, 480)


# -- SVG ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_svg_carries_the_vietnamese_titles_exactly(sample, kind):
    fig = _figure(sample, kind)
    svg = _chart(sample, kind, "svg")
    text = _svg_text(svg)
    for line in fig.layout.title.text.split("<br>"):  # a long title is drawn as two lines
        assert line in text
    assert "Cửa Lò" in text
    if fig.layout.title.subtitle.text:
        assert fig.layout.title.subtitle.text in text
    assert "Liberation Sans" in svg.decode("utf-8")


def test_svg_letters_and_context(sample):
    text = " ".join(_svg_text(_chart(sample, k, "svg")) for k in ("ranking", "domains"))
    for letter in ("ư", "ơ", "ế", "ỳ", "ọ", "ấ", "ễ", "ệ", "Đ"):
        assert letter in text
    assert "14/21" in text and SET_TITLE in text and "2019" in text


def test_fonts_cover_vietnamese():
    """fonts-liberation2 (set-up): Liberation Sans has ư ơ ế; the older fonts-liberation lacks
    them and exported charts come out in mixed fonts."""
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig tools not installed")
    families = subprocess.run(["fc-list", ":charset=1b0 1a1 1ebf 1ef9", "family"],
                              capture_output=True, text=True).stdout
    assert "Liberation Sans" in families


# -- PDF ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_pdf_is_one_page_with_fixed_dates(sample, kind):
    pdf = _chart(sample, kind, "pdf")
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) == 1
    assert b"/CreationDate (D:20000101000000+00'00')" in pdf


# -- the figure going out -------------------------------------------------------------------

def test_export_sets_template_and_font_whatever_the_default(monkeypatch):
    monkeypatch.setattr(pio.templates, "default", "plotly_dark")  # as streamlit does
    fig = go.Figure(go.Bar(x=[1, 2], y=["Cửa Lò", "Vinh"], orientation="h"))
    out = prepared(fig)
    assert out.layout.template == pio.templates[TEMPLATE]
    assert out.layout.font.family == FONT_FAMILY
    assert fig.layout.template == pio.templates["plotly_dark"]  # the caller's figure is kept


def test_same_figure_same_bytes(sample):
    for fmt in ("png", "svg", "pdf"):
        assert _chart(sample, "domains", fmt) == _chart(sample, "domains", fmt)


def test_concurrent_exports_are_serialised(sample):
    card, _ = sample
    fig = chart_figure(card, "heatmap")
    expected = export_figure(fig, "svg")
    results, errors = [], []

    def run():
        try:
            results.append(export_figure(fig, "svg"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors and len(results) == 4 and all(r == expected for r in results)


def test_titles_carry_the_context(sample):
    card, _ = sample
    ranking = chart_figure(card, "ranking", "cua-lo")
    assert ranking.layout.title.text == f"{SET_TITLE} — Cả năm 2019"
    assert ranking.layout.title.subtitle.text.startswith("Thị xã Cửa Lò: xếp thứ 14/21 · 81,22%")
    domains = chart_figure(card, "domains", "cua-lo")
    assert domains.layout.title.text == "Thị xã Cửa Lò —<br>hạng 14/21: điểm theo lĩnh vực"
    assert domains.layout.title.subtitle.text == f"{SET_TITLE} · Cả năm 2019"
    heatmap = chart_figure(card, "heatmap")
    assert SET_TITLE in heatmap.layout.title.text and not heatmap.layout.title.subtitle.text
    english = chart_figure(card, "ranking", "cua-lo", lang="en")
    assert english.layout.title.subtitle.text.startswith("Thị xã Cửa Lò: ranks 14/21 · 81.22%")


def test_bad_requests_raise(sample):
    card, _ = sample
    with pytest.raises(ValueError, match="format"):
        export_figure(chart_figure(card, "ranking"), "jpg")
    with pytest.raises(ValueError, match="needs a unit"):
        chart_figure(card, "domains")
    with pytest.raises(KeyError):
        chart_figure(card, "distribution", criterion="9.9.9")
    with pytest.raises(ValueError, match="kind"):
        chart_figure(card, "pie")


def test_no_server_at_import():
    code = ("import par.export.images, par.export.pack, par.export.report, par.cli.export, par.export.browser;"
            "print(par.export.browser.running())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# -- CLI ------------------------------------------------------------------------------------

def test_cli_writes_the_library_bytes(sample, tmp_path):
    card, trend = sample
    out = tmp_path / "trend.svg"
    cmd = [sys.executable, "-m", "par", "chart", "--criteria", str(CRITERIA),
           "--units", str(ROOT / "data/units.csv"), "--inputs", *map(str, INPUTS),
           "--kind", "trend", "--unit", "Thị xã Cửa Lò", "-o", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_bytes() == export_chart(card, "trend", "svg", unit="cua-lo", trend=trend)


def test_cli_chart_errors(capsys, tmp_path):
    from par.cli.main import main

    base = ["chart", "--criteria", str(CRITERIA), "--units", str(ROOT / "data/units.csv"),
            "--inputs", *map(str, INPUTS)]
    assert main([*base, "--kind", "domains", "-o", str(tmp_path / "d.png")]) == 2
    assert "--unit" in capsys.readouterr().err
    assert main([*base, "--kind", "ranking", "-o", str(tmp_path / "r.gif")]) == 2
    assert "'gif'" in capsys.readouterr().err
    assert main([*base, "--kind", "distribution", "-o", str(tmp_path / "d.png")]) == 2
    assert "--criterion" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_without_chromium_the_cli_says_so(tmp_path):
    cmd = [sys.executable, "-m", "par", "chart", "--criteria", str(CRITERIA),
           "--units", str(ROOT / "data/units.csv"), "--inputs", *map(str, INPUTS),
           "--kind", "ranking", "-o", str(tmp_path / "r.png")]
    env = {"PATH": str(Path(sys.executable).parent), "PAR_LANG": "en"}  # no chromium on PATH
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2 and "Chromium not found" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "r.png").exists()
