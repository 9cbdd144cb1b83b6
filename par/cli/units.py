"""`python -m par units official --province NAME [--apply]`: a province's official communes,
wards and special zones (the `vietnam-provinces` registry, par.read.registry) into the
database.

A dry run by default: it says what would be added and what renamed or regrouped (matched by
official code, so an id stays when a name changes) and stores nothing. ``--apply`` stores
through ``Store.sync_units`` (admins only; authorised and audited there). Units are never
deleted: those the database holds that the list lacks are named and kept.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from par.cli.common import database_option, open_store, output_options
from par.i18n import t

MAX_UNLISTED = 10  # unlisted ids a table output names


def add_commands(sub) -> None:
    p = sub.add_parser("units", help="units from the official registry: "
                                     "units official --province NAME [--apply]")
    p.add_argument("action", choices=("official",),
                   help="official: a province's communes, wards and special zones since "
                        "1/7/2025 (vietnam-provinces)")
    p.add_argument("--province", required=True, metavar="NAME",
                   help='province or city, with or without diacritics ("Nghệ An", "nghe an")')
    p.add_argument("--apply", action="store_true",
                   help="store them (admins only); without it, a dry run that changes nothing")
    p.add_argument("--user", default=None, help="who is acting (default $PAR_USER)")
    database_option(p)
    output_options(p)


def _database_exists(url: str | None) -> bool:
    """False for a SQLite file not yet created: a dry run must not create it."""
    from par import settings

    url = url or settings.database_url()
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()


def plan(official: pd.DataFrame, stored: pd.DataFrame) -> dict:
    """What storing ``official`` would do to the ``stored`` units: added, changed (name or
    group, by id), unchanged, and the stored commune-level units the list lacks."""
    known = stored.set_index("id", drop=False) if len(stored) else stored
    added, changed, same = [], [], 0
    for r in official.itertuples(index=False):
        if r.id not in known.index:
            added.append(r)
            continue
        old = known.loc[r.id]
        group = None if pd.isna(old["group"]) else old["group"]
        code = old.get("official_code")
        code = None if code is None or pd.isna(code) else code
        if (old["name"], old["level"], group, code) == (r.name, r.level, r.group, r.official_code):
            same += 1
        elif (old["name"], old["level"], group) == (r.name, r.level, r.group):
            same += 1  # only the code is new: stored, not worth a line
        else:
            changed.append((r, old["name"], group))
    listed = set(official["id"])
    unlisted = [] if not len(stored) else sorted(
        i for i, lv in zip(stored["id"], stored["level"]) if lv == "xa" and i not in listed)
    return {"added": added, "changed": changed, "same": same, "unlisted": unlisted}


def cmd_units(args, lang: str) -> str:
    from par.read.registry import official_units, province_name, registry_version

    name = province_name(args.province)  # an unknown province fails before the database opens
    store = None
    stored = pd.DataFrame(columns=["id", "name", "level", "group", "official_code"], dtype=object)
    if args.apply or _database_exists(args.database):
        store = open_store(args)
        stored = store.units(official_code=True)
    official = official_units(name, known=stored)
    done = plan(official, stored)
    if args.apply:
        from par.cli.data import acting_user
        from par.domain.issues import ParError

        actor = acting_user(args, store)
        try:
            store.sync_units(official, actor=actor)
        except ParError as exc:
            store.record_refusal(actor, "units", exc.issues)
            raise
    if args.format == "json":
        return json.dumps({
            "province": name, "source": registry_version(), "applied": bool(args.apply),
            "units": official.to_dict(orient="records"),
            "added": [r.id for r in done["added"]],
            "changed": [{"id": r.id, "official_code": r.official_code, "old_name": old,
                         "name": r.name, "old_group": group, "group": r.group}
                        for r, old, group in done["changed"]],
            "unchanged": done["same"], "unlisted": done["unlisted"]}, ensure_ascii=False)
    groups = official["group"].value_counts()
    lines = [t("units.official_summary", lang, province=name, total=len(official),
               xa=int(groups.get("xa", 0)), phuong=int(groups.get("phuong", 0)),
               dac_khu=int(groups.get("dac-khu", 0)), source=registry_version())]
    lines += [t("units.official_add", lang, id=r.id, name=r.name, group=r.group,
                code=r.official_code) for r in done["added"]]
    lines += [t("units.official_change", lang, id=r.id, code=r.official_code,
                old=f"{old} ({group or '–'})", new=f"{r.name} ({r.group})")
              for r, old, group in done["changed"]]
    if done["unlisted"]:
        shown = done["unlisted"][:MAX_UNLISTED]
        more = len(done["unlisted"]) - len(shown)
        lines.append(t("units.official_unlisted", lang, count=len(done["unlisted"]),
                       ids=", ".join(shown) + (f" … (+{more})" if more else "")))
    lines.append(t("units.official_counts", lang, add=len(done["added"]),
                   change=len(done["changed"]), same=done["same"]))
    lines.append(t("units.official_applied", lang, add=len(done["added"]),
                   change=len(done["changed"])) if args.apply
                 else t("units.official_dry_run", lang))
    return "\n".join(lines)


COMMANDS = {"units": cmd_units}
