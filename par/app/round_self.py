"""Tự chấm: a unit's self-assessment in a scoring round (../shared/spec/WORKFLOW.md).

For unit staff (their own units) and admins (any unit): the round of the unit's level with
its phase and deadlines, progress, every leaf of a domain in an editable table with the rule
in words and the points it gives (live), evidence files per leaf, submit; after appraisal,
the appraised points and comments, and in the explanation phase the flagged leaves to
explain. Every write goes through par.store (rounds, round_work), which checks the rule
book again; the page asks par.domain.rounds.refusal with the same inputs only to hide or
disable what would be refused. The figures come from par.present.round_self.
"""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from par.app import cache
from par.app.auth_ui import current_actor
from par.app.uploader import localise_uploader
from par.domain.issues import Issue, ParError, errors_only
from par.domain.rounds import refusal
from par.i18n import t
from par.i18n.formatting import fmt_period, fmt_time
from par.present.round_appraise import editor_state_changed
from par.present.round_self import (
    apply_edits,
    changed_entries,
    deadline_text,
    domain_leaves,
    domain_total,
    entries_of,
    file_counts,
    files_of,
    filled,
    flagged_leaves,
    is_after_appraisal,
    live_points,
    missing_evidence,
    points_text,
    progress_text,
    self_table,
    size_text,
    with_points,
)
from par.present.safe import md, md_issues
from par.read.inputs import check_inputs_table
from par.read.tabular import RawTable
from par.read.template import describe_rule
from par.store import round_work
from par.store import rounds as round_store
from par.store.rows import EVIDENCE_FILE

EVIDENCE_TYPES = ["pdf", "docx", "xlsx", "png", "jpg", "jpeg"]
FLASH = "rself_flash"
WIDE_NUMBER = 96  # px: a column wide enough for a header such as "Điểm tự chấm"
APPRAISED_WIDTH = 124  # px: the whole of "Giá trị thẩm định", "Điểm thẩm định"
# what a person types and the points it gives first; the appraisal beside the points
EDITOR_COLUMNS = ["code", "name", "rule", "max", "value", "numerator", "denominator", "points",
                  "evidence", "note"]
APPRAISED_COLUMNS = ["appraised", "appraised_points", "comment"]


# -- cached reads (keyed by the store's data version: a write is seen at the next rerun) --

@st.cache_resource(show_spinner=False, max_entries=4)
def _rounds(version: tuple):
    return round_store.list_rounds(cache.store())


def rounds_list():
    """Every round, newest year first."""
    return _rounds(cache.store().data_version())


@st.cache_resource(show_spinner=False, max_entries=8)
def _state(round_id: int, version: tuple):
    rnd = round_store.get_round(cache.store(), round_id)
    active = {c.id for c in cache.criteria_sets()}
    rows = cache.rows_for(rnd.criteria_id) if rnd.criteria_id in active else None
    state = round_work.round_state(cache.store(), round_id, rows=rows, units_frame=cache.units())
    return state, state.leaf_states(), state.status()


def round_state(round_id: int):
    """(RoundState, its leaf states, its status per unit), read once per data version."""
    return _state(int(round_id), cache.store().data_version())


@st.cache_data(show_spinner=False, max_entries=64)
def _rules(criteria_id: str, sha256: str, lang: str, _criteria) -> dict[str, str]:
    return {leaf.code: describe_rule(leaf, lang) for leaf in _criteria.leaves}


def rules_in_words(criteria, lang: str) -> dict[str, str]:
    """Each leaf's rule in plain words (as the template and the Bộ chỉ số page write it)."""
    return _rules(criteria.id, criteria.sha256 or "", lang, criteria)


# -- small shared pieces -------------------------------------------------------------------

def safe_key(text: str) -> str:
    """A widget key part from a code or id (letters, digits, _ and - only)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(text))


def flash(key: str = FLASH) -> None:
    """What the last action did, said after the rerun that shows its effect. After a table's
    save it is said once more, in the run the browser starts when the saved table drops its
    edits (that run would otherwise wipe it at once)."""
    message = st.session_state.get(key)
    if not message:
        return
    table = st.session_state.get(f"{key}_table")
    if not (table and editor_state_changed(st.session_state.get(table))):
        st.session_state.pop(key, None)
        st.session_state.pop(f"{key}_table", None)
    st.success(message)
    st.toast(message, icon=":material/check_circle:")


def done(message: str, key: str = FLASH, table: str | None = None) -> None:
    """Say ``message`` after a rerun; ``table``: the key of the data editor just saved."""
    st.session_state[key] = message
    if table:
        st.session_state[f"{key}_table"] = table
    st.rerun()


def act(action):
    """Run a write; a refusal or bad input is shown in the user's language, never raised.
    Returns (True, result) or (False, None)."""
    try:
        return True, action()
    except ParError as exc:
        cache.show_errors(exc)
        return False, None


def keep_choice(key: str, options: list, label=None) -> None:
    """A picker's value that is no longer among its options becomes the first option, said
    to the browser (which shows, and sends back, a choice by its label: a forgotten value
    would go on reading as it was). With ``label`` (the picker's format_func): when the kept
    choice's label changed since the last run (a count or a phase in it), choose it again,
    so the browser is sent the new label (a stale one reads wrong, then falls back to the
    first option)."""
    if key in st.session_state and st.session_state[key] not in options:
        if not options:
            del st.session_state[key]
            return
        st.session_state[key] = options[0]
    if label is None or not options:
        return
    chosen = st.session_state.get(key, options[0])
    text, seen = label(chosen), f"_label_{key}"
    if key in st.session_state and st.session_state.get(seen, text) != text:
        st.session_state[key] = chosen
    st.session_state[seen] = text


def round_label(rnd, lang: str) -> str:
    """'#3 · Bộ chỉ số CCHC cấp xã … · Cả năm 2025 · Thẩm định'."""
    title = next((c.short_title(lang) for c in cache.criteria_sets() if c.id == rnd.criteria_id),
                 rnd.criteria_id)
    return t("rself.round_label", lang, id=rnd.id, set=title, period=fmt_period(rnd.period, lang),
             phase=t(f"round.phase_{rnd.phase}", lang))


def pick_round(rounds: list, key: str, lang: str,
               first: tuple[str, ...] = ("self", "appraisal", "explanation", "final")):
    """The round to work on: the only one, or a picker (rounds in the ``first`` phases
    first, published ones last, newest first)."""
    def rank(r):
        return (0 if r.phase in first else 2 if r.phase == "published" else 1, -r.year, -r.id)

    ordered = sorted(rounds, key=rank)
    if len(ordered) == 1:
        return ordered[0]
    ids = [r.id for r in ordered]

    def label(i):
        return round_label(next(r for r in ordered if r.id == i), lang)

    keep_choice(key, ids, label)
    chosen = st.selectbox(t("rself.round", lang), ids, key=key, format_func=label)
    return next(r for r in ordered if r.id == chosen)


def typed_rows(criteria, units: pd.DataFrame, unit: str, period: str, stage: str,
               entries: pd.DataFrame):
    """The entries that carry a figure, checked as the store checks them
    (par.read.inputs): (typed rows without the bad ones, problems named by criterion)."""
    kept = entries.loc[filled(entries)].reset_index(drop=True)
    if kept.empty:
        return None, []
    frame = kept.copy()
    frame.insert(0, "unit", unit)
    frame.insert(1, "period", str(period))
    frame["stage"] = stage
    frame["_row"] = range(1, len(frame) + 1)
    rows, issues = check_inputs_table(RawTable(frame, round_work.ONLINE), criteria, units)
    errors = errors_only(issues)
    codes = frame["criterion"].tolist()
    bad = {i.row for i in errors if i.row}
    problems = [Issue(i.code, i.params, node=codes[i.row - 1] if i.row else i.node)
                for i in errors]
    return rows.loc[~rows["row"].isin(bad).to_numpy()], problems


def download_button(store, file_row, actor, key: str, lang: str) -> None:
    """A file's download (its bytes read from the store, which checks who asks, only when
    clicked)."""
    st.download_button(
        t("rself.download", lang), key=key, on_click="ignore", icon=":material/download:",
        data=lambda: round_work.evidence_file(store, int(file_row["id"]), actor=actor)[1],
        file_name=str(file_row["name"]), mime="application/octet-stream")


def file_line(file_row, lang: str) -> str:
    """'**bien-ban.pdf** · 12 KB · lan, 02/12/2025 14:05' with the supplied parts escaped."""
    return t("rself.file_line", lang, name=md(file_row["name"]),
             size=size_text(file_row["size"], lang), by=md(file_row["added_by"]),
             at=fmt_time(file_row["added_at"], lang))


def link_page(key: str, label: str) -> None:
    """A link to another page of the menu (dashboard.py keeps them in the session)."""
    page = st.session_state.get("nav_pages", {}).get(key)
    if page is not None:
        st.page_link(page, label=label, icon=":material/arrow_forward:")


# -- the page ------------------------------------------------------------------------------

def page_round_self() -> None:
    lang = cache.lang()
    st.title(t("nav.round_self", lang))
    actor = current_actor()
    if actor is None or not (actor.role == "admin" or (actor.role == "unit" and actor.units)):
        st.info(t("rself.no_access", lang))
        return
    flash()
    units = cache.units()
    rounds = rounds_list()
    levels = {r.level for r in rounds}
    if actor.role == "admin":
        mine = [u for u in units.index if units.at[u, "level"] in levels]
    else:
        mine = [u for u in sorted(actor.units) if u in units.index]
    if not mine:
        st.info(t("rself.no_round", lang) if actor.role == "admin" else t("rself.no_unit", lang))
        return
    keep_choice("rself_unit", mine)
    unit = mine[0] if len(mine) == 1 else st.selectbox(
        t("rself.unit", lang), mine, key="rself_unit",
        format_func=lambda u: f"{units.at[u, 'name']} ({u})")
    here = [r for r in rounds if r.level == units.at[unit, "level"]]
    if not here:
        st.info(t("rself.no_round_for", lang, unit=md(units.at[unit, "name"])))
        return
    rnd = pick_round(here, "rself_round", lang)
    state, _, status = round_state(rnd.id)
    rnd = state.round
    now = round_store.clock()
    submitted = unit in set(state.submitted["unit"].astype(str))
    ctx = _Context(state, rnd, unit, units, actor, now, submitted, lang)
    _header(ctx, status)
    if is_after_appraisal(rnd.phase):
        _explanations(ctx)
    domain = _domain_picker(ctx)
    _editor(ctx, domain)
    _evidence(ctx, domain)
    _submit(ctx, status)


class _Context:
    """What every section of the page reads."""

    def __init__(self, state, rnd, unit, units, actor, now, submitted, lang):
        self.state, self.rnd, self.unit, self.units = state, rnd, unit, units
        self.actor, self.now, self.submitted, self.lang = actor, now, submitted, lang
        self.criteria = state.criteria
        self.store = cache.store()

    def refused(self, action: str, criterion: str | None = None, flagged: bool = False):
        """The rule book's answer (an Issue or None), asked as the store will ask it (a unit's
        self-assessment is one lock for every leaf: its message names no leaf)."""
        return refusal(self.actor, self.rnd, action, now=self.now, unit=self.unit,
                       criterion=criterion,
                       domain=self.criteria.domain_of.get(criterion) if criterion else None,
                       submitted=self.submitted, flagged=flagged)


def _header(ctx: _Context, status: pd.DataFrame) -> None:
    lang, rnd = ctx.lang, ctx.rnd
    st.caption(t("rself.round_caption", lang, unit=md(ctx.units.at[ctx.unit, "name"]),
                 set=md(ctx.criteria.display_title(lang)), period=fmt_period(rnd.period, lang)))
    st.markdown(t("rself.phase_line", lang, phase=t(f"round.phase_{rnd.phase}", lang),
                  what=t(f"rself.phase_help_{rnd.phase}", lang)))
    if rnd.phase == "self":
        st.markdown(t("rself.self_until", lang,
                      when=deadline_text(rnd.self_until, ctx.now, lang)))
    elif rnd.phase in ("appraisal", "explanation"):
        st.markdown(t("rself.explain_until", lang,
                      when=deadline_text(rnd.explain_until, ctx.now, lang)))
    row = status.loc[status["unit"].astype(str) == ctx.unit]
    if len(row):
        row = row.iloc[0]
        st.markdown(t("rself.progress_line", lang, progress=progress_text(row, lang)))
        st.progress(min(int(row["self"]) / max(int(row["leaves"]), 1), 1.0))
    if ctx.submitted:
        sub = ctx.state.submitted[ctx.state.submitted["unit"].astype(str) == ctx.unit].iloc[0]
        st.success(t("rself.submitted", lang, at=fmt_time(sub["submitted_at"], lang),
                     by=md(sub["submitted_by"])))
    why = ctx.refused("self")
    if why is not None and rnd.phase == "self" and not ctx.submitted:
        st.warning(t("rself.locked", lang) + " " + md(why.render(lang)))


def _domain_picker(ctx: _Context) -> str:
    lang, criteria = ctx.lang, ctx.criteria
    states = round_state(ctx.rnd.id)[1]
    mine = states[(states["unit"].astype(str) == ctx.unit) & states["self"]]
    done_by = mine.groupby("domain").size()
    codes = [d.code for d in criteria.domains]
    names = {d.code: d.display_name(lang) for d in criteria.domains}
    sizes = {c: len(domain_leaves(criteria, c)) for c in codes}

    def label(c):
        return t("rself.domain_option", lang, code=c, name=names[c],
                 done=int(done_by.get(c, 0)), leaves=sizes[c])

    keep_choice("rself_domain", codes, label)  # its count changes with a save
    return st.selectbox(t("rself.domain", lang), codes, key="rself_domain", format_func=label)


def _editor_key(ctx: _Context, domain: str) -> str:
    return f"rself_editor_{ctx.rnd.id}_{safe_key(ctx.unit)}_{safe_key(domain)}"


def _editor(ctx: _Context, domain: str) -> None:
    lang, criteria, state = ctx.lang, ctx.criteria, ctx.state
    key = _editor_key(ctx, domain)
    if st.session_state.pop("rself_reset", None) == key:  # after a save: the stored values
        st.session_state.pop(key, None)
    codes = domain_leaves(criteria, domain)
    base = self_table(criteria, codes, state.rows, ctx.unit, state.round.period,
                      rules_in_words(criteria, lang), lang, hidden_evidence=EVIDENCE_FILE)
    current = apply_edits(base, st.session_state.get(key))
    typed, problems = typed_rows(criteria, ctx.units, ctx.unit, state.round.period, "self",
                                 entries_of(current))
    with_files = files_of(state.evidence, ctx.unit, codes, "self")["criterion"].astype(str) \
        if len(state.evidence) else []
    points = live_points(criteria, ctx.units, state.rows, ctx.unit, state.round.period, typed,
                         stage="self", replaced=codes, with_files=set(with_files),
                         filler=EVIDENCE_FILE)
    shown = with_points(base, points)
    locked = ctx.refused("self") is not None
    after = is_after_appraisal(ctx.rnd.phase)
    ratio = any(criteria.nodes[c].rule.type == "ratio" for c in codes)
    order = [c for c in EDITOR_COLUMNS if ratio or c not in ("numerator", "denominator")]
    if after:
        at = order.index("points") + 1
        order[at:at] = APPRAISED_COLUMNS
    if locked:  # nothing to type: the points and the appraisal first, the rule after them
        order.remove("rule")
        order.insert(order.index("points") + (4 if after else 1), "rule")
    st.subheader(t("rself.editor_title", lang, code=domain,
                   name=md(criteria.nodes[domain].display_name(lang))))
    if not locked:
        st.caption(t("rself.editor_help_ratio" if ratio else "rself.editor_help", lang))
    edited = st.data_editor(
        shown, key=key, hide_index=True, num_rows="fixed", width="stretch",
        column_order=order, placeholder="",
        disabled=True if locked else ["code", "name", "rule", "max", "points"] + APPRAISED_COLUMNS,
        column_config=_columns(lang))
    if problems:
        st.warning(t("rself.problems", lang) + "\n\n" + md_issues(problems, lang))
    missing = missing_evidence(points, codes)
    if missing:
        st.warning(t("rself.missing_evidence", lang, codes=md(", ".join(missing))))
    got, most = domain_total(shown)
    line = t("rself.domain_total", lang, points=points_text(got, lang), max=points_text(most, lang))
    if after and shown["appraised_points"].notna().any():
        decided = shown["appraised_points"].where(shown["appraised_points"].notna(),
                                                  shown["points"])
        line += " " + t("rself.domain_total_appraised", lang,
                        points=points_text(float(decided.sum(skipna=True)), lang))
    st.caption(line)
    if locked:
        return
    changes = changed_entries(base, edited)
    if st.button(t("rself.save", lang), key="rself_save", type="primary",
                 disabled=changes.empty, icon=":material/save:"):
        ok, _ = act(lambda: round_work.save_rows(ctx.store, ctx.rnd.id, ctx.unit, "self",
                                                 changes, actor=ctx.actor))
        if ok:
            st.session_state["rself_reset"] = key
            done(t("rself.saved", lang, count=len(changes),
                   codes=md(", ".join(changes["criterion"]))), table=key)
    if changes.empty:
        st.caption(t("rself.nothing_to_save", lang))


def _columns(lang: str) -> dict:
    number = st.column_config.NumberColumn
    text = st.column_config.TextColumn
    return {
        # code and name stay in view while the table scrolls sideways
        "code": text(t("col.code", lang), width="small", pinned=True),
        "name": text(t("col.criterion", lang), width="medium", pinned=True),
        "rule": text(t("rself.col_rule", lang), width="medium"),
        "max": number(t("col.max", lang), format="localized", width="small"),
        "value": text(t("rself.col_value", lang), help=t("rself.col_value_help", lang),
                      width=WIDE_NUMBER),
        "numerator": number(t("rself.col_numerator", lang), format="localized", min_value=0.0,
                            width="small"),
        "denominator": number(t("rself.col_denominator", lang), format="localized",
                              min_value=0.0, width="small"),
        "evidence": text(t("rself.col_evidence", lang), help=t("rself.col_evidence_help", lang),
                         width="medium"),
        "note": text(t("rself.col_note", lang), width="medium"),
        "points": number(t("rself.col_points", lang), format="localized", width=WIDE_NUMBER,
                         help=t("rself.col_points_help", lang)),
        "appraised": text(t("rself.col_appraised", lang), width=APPRAISED_WIDTH),
        "appraised_points": number(t("rself.col_appraised_points", lang), format="localized",
                                   width=APPRAISED_WIDTH),
        "comment": text(t("rself.col_comment", lang), width="medium"),
    }


def _evidence(ctx: _Context, domain: str) -> None:
    lang, criteria, state = ctx.lang, ctx.criteria, ctx.state
    st.subheader(t("rself.evidence_title", lang))
    codes = domain_leaves(criteria, domain)
    counts = dict(zip(codes, file_counts(state.evidence, ctx.unit, codes)))

    def label(c):
        return t("rself.leaf_option", lang, code=c, name=criteria.nodes[c].display_name(lang),
                 files=counts[c])

    keep_choice("rself_evidence_leaf", codes, label)  # its count changes with a file
    leaf = st.selectbox(t("rself.evidence_leaf", lang), codes, key="rself_evidence_leaf",
                        format_func=label)
    locked = ctx.refused("self", leaf) is not None
    files = files_of(state.evidence, ctx.unit, [leaf], "self")
    if not len(files):
        st.caption(t("rself.no_files", lang))
    for _, row in files.iterrows():
        cols = st.columns([6, 2, 2], vertical_alignment="center")
        cols[0].markdown(file_line(row, lang))
        with cols[1]:
            download_button(ctx.store, row, ctx.actor, f"rself_dl_{int(row['id'])}", lang)
        if not locked and cols[2].button(t("rself.remove", lang), key=f"rself_rm_{int(row['id'])}",
                                         icon=":material/delete:"):
            ok, _ = act(lambda i=int(row["id"]): round_work.remove_evidence(
                ctx.store, ctx.rnd.id, i, actor=ctx.actor))
            if ok:
                done(t("rself.removed", lang, name=md(row["name"]), code=md(leaf)))
    if locked:
        return
    n = st.session_state.setdefault("rself_files_round", 0)  # a fresh uploader after a save
    uploader = f"rself_files_{n}"
    localise_uploader(uploader, EVIDENCE_TYPES, lang)
    chosen = st.file_uploader(t("rself.files", lang, code=leaf), type=EVIDENCE_TYPES,
                              accept_multiple_files=True, key=uploader)
    if st.button(t("rself.attach", lang), key="rself_attach", disabled=not chosen,
                 icon=":material/attach_file:"):
        ok, _ = act(lambda: round_work.add_evidence(
            ctx.store, ctx.rnd.id, ctx.unit, leaf, [(f.name, f.getvalue()) for f in chosen],
            actor=ctx.actor))
        if ok:
            st.session_state["rself_files_round"] = n + 1
            done(t("rself.attached", lang, count=len(chosen), code=md(leaf)))
    st.caption(t("rself.spreadsheet_help", lang))
    link_page("upload", t("rself.spreadsheet_link", lang))


def _submit(ctx: _Context, status: pd.DataFrame) -> None:
    lang = ctx.lang
    if ctx.submitted or ctx.refused("submit") is not None:
        return
    st.subheader(t("rself.submit_title", lang))
    row = status.loc[status["unit"].astype(str) == ctx.unit]
    if len(row):
        st.caption(t("rself.submit_help", lang, progress=progress_text(row.iloc[0], lang)))
    sure = st.checkbox(t("rself.submit_sure", lang, unit=md(ctx.units.at[ctx.unit, "name"])),
                       key="rself_submit_sure")
    if st.button(t("rself.submit", lang), key="rself_submit", type="primary", disabled=not sure,
                 icon=":material/lock:"):
        ok, _ = act(lambda: round_store.submit_unit(ctx.store, ctx.rnd.id, ctx.unit,
                                                    actor=ctx.actor))
        if ok:
            st.session_state.pop("rself_submit_sure", None)
            done(t("rself.submitted_now", lang, unit=md(ctx.units.at[ctx.unit, "name"])))


def _explanations(ctx: _Context) -> None:
    """The flagged leaves first: the request's comment, the answer so far, and (in the
    explanation phase, before its deadline) a text box and files per leaf."""
    lang, rnd = ctx.lang, ctx.rnd
    flags = flagged_leaves(ctx.state.flags, ctx.unit, ctx.criteria, lang)
    if not len(flags):
        return
    st.subheader(t("rself.flags_title", lang, count=len(flags)))
    if rnd.phase == "appraisal":
        st.caption(t("rself.flags_later", lang))
    n = st.session_state.setdefault("rself_explain_round", 0)
    for _, flag in flags.iterrows():
        code = flag["code"]
        part = safe_key(code)
        with st.container(border=True):
            st.markdown(f"**{md(code)}** · {md(flag['name'])}")
            st.markdown(t("rself.flag_request", lang, by=md(flag["requested_by"]),
                          at=fmt_time(flag["requested_at"], lang),
                          comment=md(flag["comment"]) or "–"))
            if str(flag["explanation"]).strip() or pd.notna(flag["explained_at"]):
                st.markdown(t("rself.flag_answer", lang, at=fmt_time(flag["explained_at"], lang),
                              text=md(flag["explanation"]) or "–"))
            files = files_of(ctx.state.evidence, ctx.unit, [code], "explanation")
            for _, row in files.iterrows():
                cols = st.columns([8, 2], vertical_alignment="center")
                cols[0].markdown(file_line(row, lang))
                with cols[1]:
                    download_button(ctx.store, row, ctx.actor, f"rself_dl_{int(row['id'])}", lang)
            why = ctx.refused("explain", code, flagged=True)
            if why is not None:
                if rnd.phase == "explanation":
                    st.caption(md(why.render(lang)))
                continue
            text = st.text_area(t("rself.explain_text", lang), value=str(flag["explanation"]),
                                key=f"rself_explain_text_{part}")
            uploader = f"rself_explain_files_{part}_{n}"
            localise_uploader(uploader, EVIDENCE_TYPES, lang)
            extra = st.file_uploader(t("rself.explain_files", lang), type=EVIDENCE_TYPES,
                                     accept_multiple_files=True, key=uploader)
            if st.button(t("rself.explain_send", lang), key=f"rself_explain_{part}",
                         type="primary", icon=":material/send:"):
                ok, _ = act(lambda c=code, x=text, f=extra: round_work.explain(
                    ctx.store, rnd.id, ctx.unit, c, x, [(u.name, u.getvalue()) for u in f or []],
                    actor=ctx.actor))
                if ok:
                    st.session_state["rself_explain_round"] = n + 1
                    done(t("rself.explained", lang, code=md(code)))
