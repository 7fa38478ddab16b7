"""The Python reward interpreter reproduces every shared test vector (test/vectors/*.json)."""

import glob
import json
import math
import os

import pytest

from trainer.rewards import round6, score_transcript

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = sorted(glob.glob(os.path.join(ROOT, "test", "vectors", "*.json")))


def close(a, b):
    return abs(round6(a) - round6(b)) <= 1e-9


def test_vectors_exist():
    assert len(VECTORS) >= 10, "test/vectors/*.json are missing"


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
    assert close(got.total, er["total"]), f"total: {got.total} != {er['total']}"
    for m, ev in (exp.get("metrics") or {}).items():
        gm = got.metrics.get(m)
        assert (gm is None) == (ev is None), f"metric {m}: {gm} vs {ev}"
        if ev is not None:
            assert close(gm, ev), f"metric {m}: {gm} != {ev}"
