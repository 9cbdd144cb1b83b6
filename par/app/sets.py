"""Bộ chỉ số (admin): the stored criteria sets; look at one, download it, activate it;
upload a new one (YAML or an annex workbook) with every problem at once or a tree preview;
start next year's set from last year's. The rules live in par.store.library."""
from __future__ import annotations

import hashlib

import streamlit as st

from par.app import cache
from par.app.auth_ui import acting_actor
from par.app.uploader import localise_uploader
from par.domain.issues import ParError, errors_only
from par.engine.diff import diff_sets
from par.i18n import t
from par.present.frames import sets_table
from par.present.safe import md, md_issues
from par.read.criteria_book import number_text, write_criteria_book
from par.read.criteria_tree import criteria_tree, summary
from par.read.criteria_upload import read_criteria_upload
from par.read.diff_words import diff_text
from par.store import library

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page_sets() -> None:
    lang = cache.lang()
    st.title(t("nav.sets", lang))
    st.caption(t("library.intro", lang))
    actor = acting_actor()
    if actor is None or not actor.may("criteria"):
        st.info(t("auth.forbidden_page", lang))
        return
    flash = st.session_state.pop("sets_flash", None)
    if flash:  # what the last action did, said after the rerun that shows its effect: at the
        st.success(flash)  # top, and as a toast where the person is (the page keeps its scroll)
        st.toast(flash, icon=":material/check_circle:")
    stored = cache.stored_sets()
    st.subheader(t("library.stored", lang))
    if stored.empty:
        st.info(t("library.none", lang))
    else:
        st.dataframe(sets_table(stored, lang), hide_index=True)
        _inspect(stored, actor, lang)
    _upload(actor, lang)
    if not stored.empty:
        _copy(stored, actor, lang)


def _versions(stored, lang: str) -> tuple[list[str], dict[str, str]]:
    """Picker values ("id@sha256") and their labels ("2025 · xa · id · đang dùng · b5cf…")."""
    labels = {f"{r['id']}@{r['sha256']}": t(
        "library.version_label", lang, year=r["year"], level=r["level"], id=r["id"],
        status=t(f"library.status.{r['status']}", lang), version=r["sha256"][:12])
        for _, r in stored.iterrows()}
    return list(labels), labels


def _inspect(stored, actor, lang: str) -> None:
    st.subheader(t("library.pick", lang))
    keys, labels = _versions(stored, lang)
    key = st.selectbox(t("library.pick", lang), keys, key="sets_pick",
                       format_func=labels.get, label_visibility="collapsed")
    set_id, sha = key.split("@")
    criteria = cache.stored_set(set_id, sha)
    status = stored.loc[(stored["id"] == set_id) & (stored["sha256"] == sha), "status"].iloc[0]
    st.markdown("**" + md(criteria.display_title(lang)) + "**")
    _describe(criteria, lang)
    cols = st.columns(2)
    cols[0].download_button(t("library.download_yaml", lang), key="sets_yaml", on_click="ignore",
                            data=criteria.yaml_text.encode("utf-8"),
                            file_name=f"{criteria.id}.yaml", mime="application/yaml")
    cols[1].download_button(t("library.download_xlsx", lang), key="sets_xlsx", on_click="ignore",
                            data=lambda: write_criteria_book(criteria, lang),
                            file_name=f"{criteria.id}.xlsx", mime=XLSX)
    if status == "active":
        st.success(t("library.is_active", lang, level=criteria.level, year=criteria.year))
        return
    now = next((c for c in cache.criteria_sets() if c.level == criteria.level
                and c.year == criteria.year), None)
    replaced = now.id if now is not None else t("library.replaces_none", lang)
    sure = st.checkbox(md(t("library.activate_confirm", lang, level=criteria.level,
                            year=criteria.year, replaced=replaced)), key="sets_confirm")
    if st.button(t("library.activate", lang), key="sets_activate", disabled=not sure):
        if _act(lambda: library.activate(cache.store(), set_id, sha, actor=actor), lang):
            _done(t("library.activated", lang, id=set_id, level=criteria.level,
                    year=criteria.year))


def _describe(criteria, lang: str) -> None:
    """Title, the summary figures, what changed from its baseline, the tree."""
    s = summary(criteria)
    kinds = s["by_kind"]
    st.caption(t("library.summary", lang, domains=s["domains"], nodes=s["nodes"],
                 leaves=s["leaves"], regular=number_text(s["regular_max"], lang),
                 bonus=number_text(kinds.get("bonus", 0), lang),
                 penalty=number_text(kinds.get("penalty", 0), lang)))
    other = library.baseline(criteria, cache.criteria_sets())
    if other is not None:
        diff = diff_sets(other, criteria)
        with st.expander(t("library.diff_title", lang, other=f"{other.id} ({other.year})"),
                         expanded=not diff.empty):
            st.text(t("library.no_diff", lang) if not diff.method_changes
                    else diff_text(diff, lang))
    st.dataframe(criteria_tree(criteria, lang), hide_index=True, width="stretch")


def _upload(actor, lang: str) -> None:
    st.subheader(t("library.upload_title", lang))
    localise_uploader("sets_upload", ["yaml", "yml", "xlsx"], lang)  # Vietnamese, par's cap
    file = st.file_uploader(t("library.upload_help", lang), type=["yaml", "yml", "xlsx"],
                            key="sets_upload")
    if file is None:
        return
    data = file.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    read = st.session_state.get("sets_read")
    if not read or read[0] != digest:  # parse once per file, not on every rerun
        read = (digest, *read_criteria_upload(data, file.name))
        st.session_state["sets_read"] = read
    _, criteria, issues = read
    if criteria is None or errors_only(issues):
        st.error(t("library.problems", lang) + "\n\n" + md_issues(issues, lang))
        return
    if issues:
        st.warning(md_issues(issues, lang))
    st.subheader(t("library.preview_title", lang, title=criteria.display_title(lang)))
    stored = cache.stored_sets()
    known = stored[(stored["id"] == criteria.id) & (stored["sha256"] == criteria.sha256)]
    if len(known):
        st.info(t("library.already_stored", lang,
                  status=t(f"library.status.{known['status'].iloc[0]}", lang)))
    _describe(criteria, lang)
    cols = st.columns(2)
    for col, activate, label in ((cols[0], False, "library.save_draft"),
                                 (cols[1], True, "library.save_activate")):
        if col.button(t(label, lang), key=f"sets_save_{int(activate)}"):
            status = _act(lambda a=activate: library.add_set(
                cache.store(), criteria, actor=actor, source_name=file.name, activate=a), lang)
            if status:
                _done(t("library.saved", lang, id=criteria.id,
                        status=t(f"library.status.{status}", lang)))


def _copy(stored, actor, lang: str) -> None:
    st.subheader(t("library.copy_title", lang))
    st.caption(t("library.copy_help", lang))
    keys, labels = _versions(stored, lang)
    # default: the newest active set, what "last year's" usually means
    active = [k for k, status in zip(keys, stored["status"]) if status == "active"]
    key = st.selectbox(t("library.copy_from", lang), keys, key="sets_copy_from",
                       index=keys.index(active[0]) if active else 0, format_func=labels.get)
    set_id, sha = key.split("@")
    source = cache.stored_set(set_id, sha)
    cols = st.columns(2)
    year = cols[0].number_input(t("library.copy_year", lang), min_value=2000, max_value=2100,
                                value=source.year + 1, step=1, key="sets_copy_year")
    default_id = library.id_for_year(source, int(year))
    new_id = cols[1].text_input(t("library.copy_id", lang), value=default_id,
                                key=f"sets_copy_id_{set_id}_{int(year)}")
    if st.button(t("library.copy_button", lang), key="sets_copy"):
        def copy():
            draft = library.copy_for_year(source, int(year), new_id.strip() or None)
            library.add_set(cache.store(), draft, actor=actor, source_name=f"{source.id}.yaml")
            return draft
        draft = _act(copy, lang)
        if draft is not None:
            _done(t("library.copied", lang, id=draft.id, year=draft.year))


def _done(message: str) -> None:
    """Rerun so every section shows the change, and say what was done at the top."""
    st.session_state["sets_flash"] = message
    st.rerun()


def _act(action, lang: str):
    """Run a change; a refusal or a problem is shown (in the user's language), never raised."""
    try:
        result = action()
    except ParError as exc:
        cache.show_errors(exc)
        return None
    return result
