"""The Python reward interpreter reproduces every shared test vector (test/vectors/*.json): component
values, turn scores, totals, metrics with their sources, and the judge prompts byte for byte."""

import glob
import json
import os

import pytest

from trainer.rewards.text import RATIONALE_INSTRUCTIONS, round6
from trainer.rewards.judge import build_judge_prompt
from trainer.rewards.score import score_transcript

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = sorted(glob.glob(os.path.join(ROOT, "test", "vectors", "*.json")))


def close(a, b):
    return abs(round6(a) - round6(b)) <= 1e-9


def test_vectors_exist():
    assert len(VECTORS) >= 10, "test/vectors/*.json are missing"


def test_rationale_instructions_match_typescript():
    with open(os.path.join(ROOT, "test", "vectors", "constants", "rationale-instructions.txt"), encoding="utf-8") as f:
        assert f.read() == RATIONALE_INSTRUCTIONS


@pytest.mark.parametrize("path", VECTORS, ids=[os.path.basename(p)[:-5] for p in VECTORS])
def test_vector(path):
    with open(path, encoding="utf-8") as f:
        v = json.load(f)
    responses = v.get("judge_responses")
    judge = None
    if responses is not None:
        def judge(component, prompt, key):
            return responses.get(component, {}).get(key)
    got = score_transcript(v["spec"], v["scenario"], v["profile"], v["transcript"], judge)
    exp = v["expected"]
    assert len(got.turns) == len(exp["turns"])
    for g, e in zip(got.turns, exp["turns"]):
        assert g["index"] == e["index"]
        assert set(g["rewards"]) == set(e["rewards"]), f"turn {e['index']}"
        for k in e["rewards"]:
            assert close(g["rewards"][k], e["rewards"][k]), f"turn {e['index']} {k}: {g['rewards'][k]} != {e['rewards'][k]}"
        assert ("score" in g) == ("score" in e), f"turn {e['index']} score presence"
        if "score" in e:
            assert close(g["score"], e["score"]), f"turn {e['index']} score: {g['score']} != {e['score']}"
    er = exp["rewards"]
    for part, gv in (("turn_mean", got.turn_mean), ("session", got.session)):
        assert set(gv) == set(er[part]), part
        for k in er[part]:
            assert close(gv[k], er[part][k]), f"{part}.{k}: {gv[k]} != {er[part][k]}"
    if "total" not in er:
        assert got.total is None, f"total: {got.total}, expected none"
    else:
        assert got.total is not None and close(got.total, er["total"]), f"total: {got.total} != {er['total']}"
    for m, ev in (exp.get("metrics") or {}).items():
        gm = got.metrics.get(m)
        assert gm["source"] == ev["source"], f"metric {m} source: {gm} vs {ev}"
        assert (gm["value"] is None) == (ev["value"] is None), f"metric {m}: {gm} vs {ev}"
        if ev["value"] is not None:
            assert close(gm["value"], ev["value"]), f"metric {m}: {gm} != {ev}"


@pytest.mark.parametrize("path", [p for p in VECTORS if "judge_prompts" in open(p, encoding="utf-8").read()],
                         ids=lambda p: os.path.basename(p)[:-5])
def test_judge_prompts_byte_for_byte(path):
    with open(path, encoding="utf-8") as f:
        v = json.load(f)
    comps = {c["name"]: c for c in v["spec"]["components"]}
    assert v["judge_prompts"], "the vector records no judge prompt"
    rubrics = v.get("rubrics") or {}
    for component, by_key in v["judge_prompts"].items():
        for key, want in by_key.items():
            rubric = comps[component].get("rubric") or rubrics[component]
            got = build_judge_prompt(rubric, v["scenario"], v["profile"], v["transcript"]["turns"], None if key == "session" else int(key))
            assert got == want, f"{component}/{key}: prompts differ"
