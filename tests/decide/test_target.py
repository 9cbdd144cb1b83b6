"""par.decide.target: the fewest points to a target rank, the plan, the safety margin, what-if.

Every plan is checked against the engine: its gains are written back into input rows
(points-type leaves) and the whole level is scored again with par.engine.scoring.score.
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import HEADER, build_criteria, card_for, make_units, row

from par.cli.main import main
from par.decide.target import (
    GAIN_COLUMNS,
    apply_gains,
    get_margins,
    get_safety_margin,
    get_target_plan,
    what_if,
)
from par.domain.issues import ParError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ["--criteria", str(ROOT / "criteria/nghe-an-huyen-2019.yaml"),
          "--units", str(ROOT / "data/units.csv"),
          "--inputs", str(ROOT / "data/inputs/huyen-2019-self.csv"),
          str(ROOT / "data/inputs/huyen-2019-appraisal.csv")]


def points_set(maxes: dict[str, float], ties: str = "min", bonus: float = 0,
               penalty: float = 0, scale: float = 100):
    """Regular domains "1" (leaves 1.x) and "2" (leaves 2.x) of points leaves; optional
    bonus domain B (leaf B.1) and penalty domain P (leaf P.1)."""
    def domain(code, leaves, kind="regular"):
        kids = "\n".join(f'          - {{code: "{c}", name: "L{c}", max: {m}, rule: {{type: points}}}}'
                         for c, m in leaves.items())
        return (f'  - code: "{code}"\n    name: "D{code}"\n    kind: {kind}\n'
                f'    max: {sum(leaves.values())}\n    children:\n{kids}\n')
    body = "domains:\n"
    for code in ("1", "2"):
        leaves = {c: m for c, m in maxes.items() if c.split(".")[0] == code}
        if leaves:
            body += domain(code, leaves)
    if bonus:
        body += domain("B", {"B.1": bonus}, "bonus")
    if penalty:
        body += domain("P", {"P.1": penalty}, "penalty")
    return build_criteria(body, HEADER + f"scale: {scale}\nranking: {{ties: {ties}}}\n")


def score_points(criteria, table: dict[str, dict[str, float]]):
    units = make_units(" ".join(table))
    rows = [row(u, c, repr(float(v))) for u, pts in table.items() for c, v in pts.items()]
    return card_for(criteria, units, rows)


def rescore_with_plan(criteria, table, unit, plan):
    """The engine's card with the plan's gains written into the unit's input rows."""
    new = {u: dict(p) for u, p in table.items()}
    for g in plan.gains.itertuples():
        new[unit][g.code] = min(g.new_points, criteria.nodes[g.code].max)
    return score_points(criteria, new)


MAXES = {"1.1": 1, "1.2": 2, "1.3": 3, "2.1": 4}  # regular max 10: index = 10 × points


def four_units(ties="min", d=None):
    criteria = points_set(MAXES, ties)
    table = {"a": {"1.1": 1, "1.2": 2, "1.3": 3, "2.1": 2},      # 8 → 80
             "b": {"1.1": 1, "1.2": 2, "1.3": 1, "2.1": 3},      # 7 → 70
             "c": {"1.1": 1, "1.2": 1, "1.3": 2, "2.1": 2},      # 6 → 60
             "d": d or {"1.1": 1, "1.2": 0, "1.3": 1, "2.1": 3}}  # 5 → 50
    return criteria, table, score_points(criteria, table)


def test_known_answer_and_the_plan_reproduced_by_the_engine():
    criteria, table, card = four_units()
    plan = get_target_plan(card, "d", 2)
    assert (plan.current_rank, plan.target_rank, plan.of, plan.reachable) == (4, 2, 4, True)
    assert plan.threshold == 70.0
    # round(index, 2) ≥ 70.00 needs index ≥ 69.995, i.e. 6.9995 points: 1.9995 more
    assert plan.index_needed == pytest.approx(69.995)
    assert plan.points_needed == pytest.approx(1.9995, abs=1e-6)
    assert list(plan.gains.columns) == GAIN_COLUMNS
    assert plan.gains["gain"].sum() == pytest.approx(plan.points_needed)
    # most points lost first: 1.2 (2 lost), then 1.3 (2 lost, but a smaller peer gap)...
    assert plan.gains["code"].tolist() == ["1.2"]
    assert plan.new_rank == 2
    engine = rescore_with_plan(criteria, table, "d", plan)
    assert int(engine.units.at["d", "rank"]) == 2
    assert engine.units.at["d", "index"] == pytest.approx(plan.new_index)


def test_greedy_order_points_lost_then_gap_to_peer_mean():
    criteria, table, card = four_units()
    plan = get_target_plan(card, "d", 1)  # 80 → 79.995: 2.9995 points
    # d loses 2 on 1.2 (peer mean 1.25, gap 1.25) and 2 on 1.3 (mean 1.75, gap 0.75), 1 on 2.1
    assert plan.gains["code"].tolist() == ["1.2", "1.3"]
    assert plan.gains["gain"].tolist() == pytest.approx([2.0, 0.9995], abs=1e-6)
    assert plan.gains["peer_mean"].tolist() == pytest.approx([1.25, 1.75])
    assert (plan.gains["new_points"] <= plan.gains["max"] + 1e-12).all()
    assert int(rescore_with_plan(criteria, table, "d", plan).units.at["d", "rank"]) == 1


def test_ties_min_and_dense():
    # b and c tie at 70; d at 50
    d = {"1.1": 1, "1.2": 0, "1.3": 1, "2.1": 3}
    criteria = points_set(MAXES, "min")
    table = {"a": {"1.1": 1, "1.2": 2, "1.3": 3, "2.1": 2},
             "b": {"1.1": 1, "1.2": 2, "1.3": 1, "2.1": 3},
             "c": {"1.1": 1, "1.2": 2, "1.3": 2, "2.1": 2}, "d": d}
    card = score_points(criteria, table)
    assert card.units["rank"].tolist() == [1, 2, 2, 4]
    plan = get_target_plan(card, "d", 3)  # min: 3rd best of others is 70 → tie at 2
    assert plan.threshold == 70.0 and plan.new_rank == 2
    assert plan.points_needed == pytest.approx(1.9995, abs=1e-6)
    dense = points_set(MAXES, "dense")
    card = score_points(dense, table)
    assert card.units["rank"].tolist() == [1, 2, 2, 3]
    assert get_target_plan(card, "d", 3).already  # dense: d is already 3rd
    plan = get_target_plan(card, "d", 2)  # dense: 2nd distinct value is 70
    assert plan.threshold == 70.0 and plan.new_rank == 2
    assert int(rescore_with_plan(dense, table, "d", plan).units.at["d", "rank"]) == 2


def test_a_tie_at_the_rounded_index_shares_the_rank():
    # regular max 3: a = 2.10001/3 → 70.0003…, rounds to 70.00; b needs 69.995 → 2.09985
    criteria = points_set({"1.1": 3})
    table = {"a": {"1.1": 2.10001}, "b": {"1.1": 1}}
    card = score_points(criteria, table)
    plan = get_target_plan(card, "b", 1)
    assert plan.threshold == 70.0
    assert plan.points_needed == pytest.approx(3 * 0.69995 - 1, abs=1e-6)
    engine = rescore_with_plan(criteria, table, "b", plan)
    assert engine.units["rank"].tolist() == [1, 1]
    # a hair less is not enough
    short = apply_gains(card, "b", {"1.1": plan.points_needed - 1e-6})
    assert int(short.units.at["b", "rank"]) == 2


def test_already_at_the_target():
    criteria, table, card = four_units()
    for target in (2, 3, 4):
        plan = get_target_plan(card, "b", target)
        assert plan.already and plan.reachable and plan.points_needed == 0
        assert plan.gains.empty and list(plan.gains.columns) == GAIN_COLUMNS
        assert plan.new_rank == 2 and plan.ranking["rank"].tolist() == [1, 2, 3, 4]


def test_leaves_already_at_max_get_nothing():
    criteria, table, card = four_units(d={"1.1": 1, "1.2": 2, "1.3": 0, "2.1": 2})
    plan = get_target_plan(card, "d", 1)
    assert "1.1" not in plan.gains["code"].tolist() and "1.2" not in plan.gains["code"].tolist()
    assert (plan.gains["gain"] <= plan.gains["points_lost"] + 1e-12).all()
    assert plan.points_available == pytest.approx(5.0)


def test_unreachable_target_states_the_best_rank():
    # d pays a penalty of 3: all its regular leaves at max give 10 − 3 = 7 → 70, tying b
    criteria = points_set(MAXES, "min", penalty=5)
    table = {"a": {"1.1": 1, "1.2": 2, "1.3": 3, "2.1": 2},
             "b": {"1.1": 1, "1.2": 2, "1.3": 1, "2.1": 3},
             "d": {"1.1": 1, "1.2": 0, "1.3": 1, "2.1": 3, "P.1": 3}}
    card = score_points(criteria, table)
    plan = get_target_plan(card, "d", 1)
    assert not plan.reachable and plan.best_rank == 2 and plan.new_rank == 2
    assert plan.points_available == pytest.approx(5.0)
    assert plan.points_needed > plan.points_available
    assert plan.gains["gain"].sum() == pytest.approx(5.0)  # every leaf to its max
    engine = rescore_with_plan(criteria, table, "d", plan)
    assert int(engine.units.at["d", "rank"]) == 2
    reachable = get_target_plan(card, "d", 2)  # the tie at 70 is reachable
    assert reachable.reachable and reachable.new_rank == 2


def test_penalty_below_zero_and_bonus_are_counted_through_the_clamp():
    # d: regular 1, penalty 4 → clamp(−3) = 0. Reaching 40 needs 4 − (1 − 4) = 7 − 0.0005
    criteria = points_set(MAXES, "min", bonus=2, penalty=5)
    table = {"a": {"1.1": 1, "1.2": 2, "1.3": 1, "B.1": 0},               # 4 → 40
             "b": {"1.1": 0, "1.2": 1, "1.3": 1, "B.1": 1},               # 3 → 30
             "d": {"1.1": 1, "P.1": 4}}
    card = score_points(criteria, table)
    assert card.units.at["d", "score"] == 0
    plan = get_target_plan(card, "d", 1)
    assert plan.points_needed == pytest.approx(6.9995, abs=1e-6)
    assert int(rescore_with_plan(criteria, table, "d", plan).units.at["d", "rank"]) == 1


def _brute_force_case(seed: int):
    rng = np.random.default_rng(seed)
    maxes = {"1.1": 1.0, "1.2": 1.5, "2.1": 2.0}
    ties = ["min", "dense"][seed % 2]
    criteria = points_set(maxes, ties, bonus=1 if seed % 3 == 0 else 0,
                          penalty=1 if seed % 3 == 1 else 0)
    grid = lambda m: np.arange(0, m + 1e-9, 0.25)
    table = {}
    for u in "abcde":
        pts = {c: float(rng.choice(grid(m))) for c, m in maxes.items()}
        if "B.1" in criteria.nodes:
            pts["B.1"] = float(rng.choice(grid(1)))
        if "P.1" in criteria.nodes:
            pts["P.1"] = float(rng.choice(grid(1)))
        table[u] = pts
    return criteria, maxes, table


@pytest.mark.parametrize("seed", range(12))
def test_no_smaller_total_gain_reaches_the_target_brute_force(seed):
    criteria, maxes, table = _brute_force_case(seed)
    card = score_points(criteria, table)
    unit = card.units.index[-1]
    of = int(card.units.at[unit, "of"])
    # every combination of new points on the 0.25 grid, each scored by the engine as its own
    # unit; its rank is then taken against the other units as they are
    own = table[unit]
    choices = [np.arange(own[c], m + 1e-9, 0.25) for c, m in maxes.items()]
    combos = list(itertools.product(*choices))
    trial = {f"t{i}": {**own, **dict(zip(maxes, combo))} for i, combo in enumerate(combos)}
    trials = score_points(criteria, {**{u: p for u, p in table.items() if u != unit}, **trial})
    others = trials.units.loc[[u for u in table if u != unit], "index"]
    gains = np.array([sum(combo) - sum(own[c] for c in maxes) for combo in combos])
    # CONTRACT §4 by hand: 1 + the others (min) or their distinct values (dense) strictly above
    mine = trials.units.loc[list(trial), "index"].round(2).to_numpy()
    theirs = others.round(2).to_numpy()
    ranks = np.array([1 + (len(theirs[theirs > k]) if criteria.ties == "min"
                           else len(set(theirs[theirs > k]))) for k in mine])
    for target in range(1, of + 1):
        plan = get_target_plan(card, unit, target)
        reaching = gains[ranks <= target]
        if plan.already:
            assert plan.points_needed == 0 and reaching.min() == pytest.approx(0)
            continue
        assert plan.reachable == bool(len(reaching)), (target, plan)
        if not plan.reachable:
            assert plan.best_rank == ranks.min()
            continue
        # the plan works when written back into the inputs and scored by the engine
        engine = rescore_with_plan(criteria, table, unit, plan)
        assert int(engine.units.at[unit, "rank"]) <= target
        # no grid combination with a smaller total gain reaches the target ...
        assert reaching.min() >= plan.points_needed - 1e-6
        # ... and the plan's total is the grid's minimum, up to one grid step
        assert reaching.min() < plan.points_needed + 0.25
        # a hair less than the plan's total does not reach it (on any leaves: only the total counts)
        less = dict(zip(plan.gains["code"], plan.gains["gain"]))
        last = plan.gains["code"].iloc[-1]
        less[last] -= 1e-6
        assert int(apply_gains(card, unit, less).units.at[unit, "rank"]) > target


def test_apply_gains_matches_a_full_rescore():
    criteria, table, card = four_units()
    after = apply_gains(card, "c", {"1.2": 1, "2.1": 5})  # 2.1 capped at its max 4
    new = {u: dict(p) for u, p in table.items()}
    new["c"].update({"1.2": 2, "2.1": 4})
    engine = score_points(criteria, new)
    cols = ["score", "max", "index", "index_2dp", "rank", "regular", "bonus", "penalty"]
    pd.testing.assert_frame_equal(after.units[cols], engine.units[cols], check_dtype=False)
    pd.testing.assert_frame_equal(after.node_score, engine.node_score, check_dtype=False)
    assert card.units.at["c", "score"] == 6  # the input card is left as it was


def test_what_if_clips_keeps_nan_and_rejects_unknown_codes():
    criteria, table, card = four_units()
    after = what_if(card, "d", {"1.2": 9, "1.3": -1, "2.1": float("nan")})
    own = after.leaves[after.leaves["unit"] == "d"].set_index("criterion")["points"]
    assert own[["1.2", "1.3", "2.1"]].tolist() == [2, 0, 3]
    assert after.units.at["d", "score"] == 6 and after.units.at["d", "rank"] == 3
    with pytest.raises(ParError) as exc:
        what_if(card, "d", {"9.9": 1})
    assert [i.code for i in exc.value.issues] == ["decide.unknown_criterion"]
    with pytest.raises(ParError) as exc:
        what_if(card, "zz", {})
    assert [i.code for i in exc.value.issues] == ["decide.unknown_unit"]


def test_errors_bad_rank_unknown_and_unranked_unit():
    criteria = points_set({"1.1": 3})
    units = make_units("a b z")
    card = card_for(criteria, units, [row("a", "1.1", "1"), row("b", "1.1", "2"),
                                      row("z", "1.1", "N/A")])
    for rank in (0, 3):
        with pytest.raises(ParError) as exc:
            get_target_plan(card, "a", rank)
        assert [(i.code, i.params["of"]) for i in exc.value.issues] == [("decide.bad_rank", 2)]
    with pytest.raises(ParError) as exc:
        get_target_plan(card, "z", 1)
    assert exc.value.issues[0].code == "decide.unranked_unit"
    assert get_safety_margin(card, "z") is None
    with pytest.raises(ParError):
        get_target_plan(card, "nope", 1)


def test_safety_margin():
    criteria = points_set({"1.1": 4})  # index = 25 × points
    table = {"a": {"1.1": 4}, "b": {"1.1": 3}, "c": {"1.1": 3}, "d": {"1.1": 1}}
    card = score_points(criteria, table)
    margins = get_margins(card)
    assert margins["next_unit"].tolist() == ["b", "d", "d", None]
    assert margins["index_margin"].tolist()[:3] == pytest.approx([25, 50, 50])
    assert get_safety_margin(card, "a") == pytest.approx(1.0)   # 25 index points = 1 of 4
    assert get_safety_margin(card, "c") == pytest.approx(2.0)
    assert get_safety_margin(card, "d") is None                 # last


def test_sample_cua_lo_to_tenth():
    from par import load_criteria, read_inputs, read_units, score

    criteria = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
    units = read_units(ROOT / "data/units.csv")
    rows, _ = read_inputs([ROOT / "data/inputs/huyen-2019-self.csv",
                           ROOT / "data/inputs/huyen-2019-appraisal.csv"], criteria, units)
    card = score(criteria, units, rows)
    plan = get_target_plan(card, "cua-lo", 10)
    assert plan.current_rank == 14 and plan.reachable and plan.new_rank <= 10
    assert plan.gains["gain"].sum() == pytest.approx(plan.points_needed)
    regular = {d.code for d in criteria.domains if d.kind == "regular"}
    assert {criteria.domain_of[c] for c in plan.gains["code"]} <= regular
    # the margin below Cửa Lò is to Tân Kỳ (15th)
    assert get_margins(card).at["cua-lo", "next_unit"] == "tan-ky"


# -- CLI -----------------------------------------------------------------------------------

def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_target_table_and_json(capsys, monkeypatch):
    monkeypatch.delenv("PAR_LANG", raising=False)
    code, out, err = run(capsys, ["target", "--unit", "cua-lo", "--rank", "10", "--lang", "en",
                                  *SAMPLE])
    assert code == 0, err
    assert "ranks 14/21" in out and "target rank 10/21" in out and "rank 10/21." in out
    assert "1.1.2" in out
    code, out, err = run(capsys, ["target", "--unit", "cua-lo", "--rank", "10", "--format",
                                  "json", *SAMPLE])
    data = json.loads(out)
    assert code == 0 and data["reachable"] and data["new_rank"] <= 10
    assert data["points_needed"] == pytest.approx(sum(g["gain"] for g in data["gains"]))
    assert data["ranking"][0]["rank"] == 1 and len(data["ranking"]) == 21
    code, out, err = run(capsys, ["target", "--unit", "Thị xã Cửa Lò", "--rank", "20", *SAMPLE])
    assert code == 0 and "không cần thêm điểm" in out


@pytest.mark.parametrize("argv, needle", [
    (["--unit", "zz", "--rank", "2"], "zz"),
    (["--unit", "cua-lo", "--rank", "22"], "1 đến 21"),
    (["--unit", "cua-lo", "--rank", "0"], "1 đến 21"),
])
def test_cli_target_errors(capsys, argv, needle):
    code, out, err = run(capsys, ["target", *argv, *SAMPLE])
    assert code == 2 and out == "" and needle in err and "Traceback" not in err


def test_cli_margin(capsys):
    code, out, err = run(capsys, ["margin", "--unit", "cua-lo", "--lang", "en", *SAMPLE])
    assert code == 0, err
    assert "Thị xã Cửa Lò (14/21) is 0.42 index points ahead of Huyện Tân Kỳ (15/21)" in out
    assert "rank 13/21" in out
    code, out, err = run(capsys, ["margin", "--unit", "ky-son", "--format", "json", *SAMPLE])
    data = json.loads(out)
    assert code == 0 and data["rank"] == 21 and data["next_unit"] is None
    assert data["points_margin"] is None and data["points_to_move_up"] > 0
    code, out, err = run(capsys, ["margin", "--unit", "zz", *SAMPLE])
    assert code == 2 and "zz" in err


# -- the index rounded half up (CONTRACT §4, second revision) ------------------------------

def test_the_threshold_is_reached_at_the_half_up_boundary_exactly():
    # b at 12.34 wants to rank with a at 12.35: 12.345 rounds half up to 12.35, so 0.005
    # points (max 100) are enough, to the micro-point, and one micro-point less is not
    criteria = points_set({"1.1": 100})
    table = {"a": {"1.1": 12.35}, "b": {"1.1": 12.34}}
    card = score_points(criteria, table)
    plan = get_target_plan(card, "b", 1)
    assert plan.threshold == 12.35 and plan.index_needed == pytest.approx(12.345)
    assert plan.points_needed == 0.005 and plan.new_rank == 1
    engine = rescore_with_plan(criteria, table, "b", plan)
    assert engine.units["rank"].tolist() == [1, 1]
    assert engine.units.at["b", "index_2dp"] == 12.35
    assert int(apply_gains(card, "b", {"1.1": 0.004999}).units.at["b", "rank"]) == 2


def test_margins_compare_the_half_up_figures():
    # 12.345 is shown and ranked as 12.35: level with a, 0.01 ahead of c
    criteria = points_set({"1.1": 100})
    card = score_points(criteria, {"a": {"1.1": 12.35}, "b": {"1.1": 12.345},
                                   "c": {"1.1": 12.34}})
    m = get_margins(card)
    assert m.loc[["a", "b"], "next_unit"].tolist() == ["c", "c"]
    assert m.loc[["a", "b"], "index_margin"].tolist() == pytest.approx([0.01, 0.01])
