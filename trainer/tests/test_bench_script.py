"""The Python half of ``npm run bench:train`` (test/bench/train_bench.py) on the tiny model: its measures score
what they are given (a reply in the exported format scores 1) and the dialogue measure shows the model its earlier
turns as spoken answers, as ``userlm run`` does. The benchmark itself is not run by CI; this keeps its code honest."""

import importlib.util
import json
import os

from conftest import ROOT, TARGET

spec = importlib.util.spec_from_file_location("train_bench", os.path.join(ROOT, "test", "bench", "train_bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_format_measure_scores_each_reply(monkeypatch, tiny_model, datasets):
    replies = iter([TARGET, "Just the price, please."])
    monkeypatch.setattr(bench, "generate", lambda model, tok, messages, max_new: next(replies))
    r = bench.measure_format(tiny_model, datasets["sft"], 2, 8)
    assert [x["format"] for x in r["replies"]] == [1.0, 0.0]
    assert [x["sections"] for x in r["replies"]] == [1.0, 0.0]
    assert r["format"] == 0.5 and r["n"] == 2
    assert r["replies"][0]["tokens"] > 0 and r["replies"][0]["start"].startswith("<think>")


def test_dialogue_measure_plays_whole_dialogues_with_spoken_history(monkeypatch, tiny_model, datasets, tmp_path):
    seen = []

    def generate(model, tok, messages, max_new):
        seen.append([dict(m) for m in messages])
        return TARGET

    monkeypatch.setattr(bench, "generate", generate)
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps({"components": [{"name": "format", "kind": "rule", "weight": 1.0},
                                                    {"name": "termination", "kind": "rule", "level": "session", "weight": 1.0}],
                                     "aggregate": {"turn_weight": 2, "gates": ["format"]}}))
    r = bench.measure_dialogue(tiny_model, datasets["dialogue"], str(spec_path), 1, 8)
    assert r["n"] == 1 and r["user_turns"] >= 2 and len(seen) == r["user_turns"]
    assert 0 < r["total"] <= 1
    later = seen[-1]
    earlier_user = [m["content"] for m in later if m["role"] == "assistant"]
    assert earlier_user and all("<think>" not in c and "Agent intent" not in c for c in earlier_user)
    assert earlier_user[0] == "Before anything else, what is the total monthly price?"
