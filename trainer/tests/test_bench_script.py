"""The Python half of ``npm run bench:train`` (test/bench/train_bench.py) on the tiny model: its measures score
what they are given (a reply in the exported format scores 1) and the dialogue measure shows the model its earlier
turns as spoken answers, as ``userlm run`` does. The benchmark itself is not run by CI; this keeps its code honest."""

import importlib.util
import json
import os

import pytest

from conftest import ROOT, TARGET

spec = importlib.util.spec_from_file_location("train_bench", os.path.join(ROOT, "test", "bench", "train_bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_format_measure_scores_each_reply(monkeypatch, tiny_model, datasets):
    monkeypatch.setattr(bench, "generate", lambda model, tok, conversations, max_new: [TARGET, "Just the price, please."][:len(conversations)])
    r = bench.measure_format(tiny_model, datasets["sft"], 2, 8)
    assert [x["format"] for x in r["replies"]] == [1.0, 0.0]
    assert [x["sections"] for x in r["replies"]] == [1.0, 0.0]
    assert r["format"] == 0.5 and r["n"] == 2
    assert r["replies"][0]["tokens"] > 0 and r["replies"][0]["start"].startswith("<think>")


def test_dialogue_measure_plays_whole_dialogues_with_spoken_history(monkeypatch, tiny_model, datasets, tmp_path):
    calls = []  # the conversations of each batched call

    def generate(model, tok, conversations, max_new, sample=False):
        assert sample  # plays are sampled, at GRPO's settings
        calls.append([[dict(m) for m in c] for c in conversations])
        # the first two plays answer well; the third drops the answer block on its first turn (format 0.5: the gate zeroes it)
        return [TARGET.split("<answer>")[0] if i == 2 and len(calls) == 1 else TARGET for i in range(len(conversations))]

    monkeypatch.setattr(bench, "generate", generate)
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps({"components": [{"name": "format", "kind": "rule", "weight": 1.0},
                                                    {"name": "termination", "kind": "rule", "level": "session", "weight": 1.0}],
                                     "aggregate": {"turn_weight": 2, "gates": ["format"]}}))
    r = bench.measure_dialogue(tiny_model, datasets["dialogue"], str(spec_path), 1, 8, 3)
    assert r["n"] == 1 and r["samples"] == 3 and len(r["totals"]) == 3 and r["user_turns"] >= 2
    good, gated = r["totals"][:2], r["totals"][2]
    assert good[0] == good[1] and 0 < good[0] <= 1 and gated < good[0] and r["stderr"] > 0
    assert r["total"] == (2 * good[0] + gated) / 3
    # one call per user turn, the 3 plays of the dialogue in one batch
    assert {len(c) for c in calls} == {3} and len(calls) >= 2
    earlier_user = [m["content"] for m in calls[-1][0] if m["role"] == "assistant"]
    assert earlier_user and all("<think>" not in c and "Agent intent" not in c for c in earlier_user)
    assert earlier_user[0] == "Before anything else, what is the total monthly price?"


def test_compare_pools_the_sft_measures_and_takes_the_spread_of_the_runs(tmp_path):
    def measure(name, totals, staged=True):
        path = tmp_path / f"{name}.json"
        result = {"total": sum(totals) / len(totals), "totals": totals}
        path.write_text(json.dumps({"result": result, "minutes": 1.0, "settings": {}} if staged else result))
        return str(path)

    before = [measure("sft1", [0.5, 0.7]), measure("sft2", [0.6, 0.8], staged=False)]
    after = [measure("grpo1", [0.8, 1.0]), measure("grpo2", [0.7, 0.9]), measure("grpo3", [0.9, 0.9])]
    r = bench.compare(before, after)
    assert r["before_plays"] == 4 and abs(r["before"] - 0.65) < 1e-12
    assert [round(x, 12) for x in r["runs"]] == [0.9, 0.8, 0.9] and abs(r["after"] - 13 / 15) < 1e-12
    b_se = (sum((x - 0.65) ** 2 for x in [0.5, 0.7, 0.6, 0.8]) / 3) ** 0.5 / 2
    a_se = (sum((x - 13 / 15) ** 2 for x in [0.9, 0.8, 0.9]) / 2) ** 0.5 / 3 ** 0.5
    assert abs(r["rise"] - (13 / 15 - 0.65)) < 1e-12 and abs(r["rise_stderr"] - (b_se ** 2 + a_se ** 2) ** 0.5) < 1e-12
    assert abs(r["rise_in_stderrs"] - r["rise"] / r["rise_stderr"]) < 1e-12
    with pytest.raises(SystemExit, match="two GRPO runs or more"):
        bench.compare(before, after[:1])
