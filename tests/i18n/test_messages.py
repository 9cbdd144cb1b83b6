"""The message catalogue: complete in both languages, and covering every code the sources use."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from par.domain.issues import Issue
from par.i18n import LANGS, MESSAGES, placeholders, resolve_lang, t

PAR = Path(__file__).resolve().parents[2] / "par"
CODE_CALL = re.compile(r'(?:\bIssue|\.add|\bt)\(\s*"([a-z]+\.[a-z_.]+)"')


def used_codes() -> dict[str, str]:
    """Message code → the first source file that uses it as a string literal."""
    found: dict[str, str] = {}
    for path in sorted(PAR.rglob("*.py")):
        for code in CODE_CALL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, str(path.relative_to(PAR.parent)))
    return found


def test_every_message_has_both_languages_with_the_same_placeholders():
    assert LANGS == ("vi", "en")
    for key, entry in MESSAGES.items():
        assert set(entry) == {"vi", "en"}, key
        assert entry["vi"].strip() and entry["en"].strip(), key
        assert placeholders(entry["vi"]) == placeholders(entry["en"]), key


def test_the_source_scan_finds_codes():
    codes = used_codes()
    # the scan must see all three call styles, or the next test proves nothing
    assert {"criteria.children_sum", "input.unknown_unit", "cli.bad_as_of", "loc.row"} <= set(codes)
    assert len(codes) > 60


def test_every_code_used_in_the_sources_is_in_the_catalogue():
    missing = {code: where for code, where in used_codes().items() if code not in MESSAGES}
    assert missing == {}


@pytest.mark.parametrize("key", list(MESSAGES))
@pytest.mark.parametrize("lang", LANGS)
def test_every_message_renders_with_its_fields(key, lang):
    # fields named like t()'s own parameters ("key") must not collide with them
    fields = {name: f"<{name}>" for name in placeholders(MESSAGES[key]["en"])}
    issue = Issue(key, fields, file="f.csv", row=3)
    assert issue.message(lang) == MESSAGES[key][lang].format(**fields)
    assert issue.render(lang).startswith(issue.location(lang) + ": ")


def test_t_never_raises_on_missing_pieces():
    assert t("no.such.key", "en") == "[no.such.key]"
    assert t("loc.row", "en") == "row {row}"  # a missing field shows as its placeholder
    assert t("loc.row", "en", row=7) == "row 7" and t("loc.row", "vi", row=7) == "dòng 7"
    assert t("loc.row", "fr", row=7) == "dòng 7"  # unknown language → Vietnamese


def test_language_resolution(monkeypatch):
    monkeypatch.delenv("PAR_LANG", raising=False)
    assert resolve_lang(None) == "vi"
    monkeypatch.setenv("PAR_LANG", "EN")
    assert resolve_lang(None) == "en" and resolve_lang("vi") == "vi"


def test_issue_location_rendering():
    csv_issue = Issue("input.unknown_unit", {"value": "zz"}, file="in.csv", row=5, cell="unit")
    assert csv_issue.render("en").startswith("in.csv, row 5, column 'unit': unit 'zz'")
    xlsx_issue = Issue("input.unknown_unit", {"value": "zz"}, file="in.xlsx", sheet="S", row=5,
                       cell="A5")
    assert xlsx_issue.render("vi").startswith("in.xlsx, trang tính 'S', ô A5: đơn vị 'zz'")
    yaml_issue = Issue("criteria.kind", {"value": "x"}, file="s.yaml", line=12, node="2.1")
    assert yaml_issue.render("en").startswith("s.yaml:12, code 2.1: kind 'x'")
    warning = Issue("input.other_year", {"count": 2, "year": 2025}, file="a.csv", severity="warning")
    assert warning.render("en").startswith("a.csv: (warning) 2 rows")


def test_no_message_key_is_defined_twice():
    """A repeated key silently replaces the first text: catch it at the source."""
    import ast

    paths = sorted((Path(__file__).resolve().parents[2] / "par" / "i18n" / "catalog").glob("*.py"))
    assert len(paths) > 10
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                repeated = {k for k in keys if keys.count(k) > 1}
                assert not repeated, f"{path.name}: {sorted(repeated)}"


def test_each_catalogue_module_holds_one_prefix():
    """input.* lives in catalog/input.py and nowhere else; every module is merged."""
    from par.i18n import catalog

    for module in catalog.MODULES:
        prefix = module.__name__.rsplit(".", 1)[1].rstrip("_")
        assert module.MESSAGES, module.__name__
        assert all(k.split(".")[0] == prefix for k in module.MESSAGES), module.__name__
    files = {p.stem for p in (Path(catalog.__file__).parent).glob("*.py")} - {"__init__"}
    assert files == {m.__name__.rsplit(".", 1)[1] for m in catalog.MODULES}
    assert sum(len(m.MESSAGES) for m in catalog.MODULES) == len(MESSAGES)
