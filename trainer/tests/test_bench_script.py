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
    monkeypatch.setattr(bench, "generate", lambda model, tok, conversations, max_new: [TARGET, "Just the price, please."][:len(conversations)])
    r = bench.measure_format(tiny_model, datasets["sft"], 2, 8)
    assert [x["format"] for x in r["replies"]] == [1.0, 0.0]
    assert [x["sections"] for x in r["replies"]] == [1.0, 0.0]
    assert r["format"] == 0.5 and r["n"] == 2
    assert r["replies"][0]["tokens"] > 0 and r["replies"][0]["start"].startswith("<think>")


def test_dialogue_measure_plays_whole_dialogues_with_spoken_history(monkeypatch, tiny_model, datasets, tmp_path):
    calls = []  # (sampled?, the conversations of one batched call)

    def generate(model, tok, conversations, max_new, sample=False):
        calls.append((sample, [[dict(m) for m in c] for c in conversations]))
        # greedy plays answer well; sampled plays drop the answer block (format 0.5: the gate zeroes the turn)
        return [TARGET.split("<answer>")[0] if sample else TARGET for _ in conversations]

    monkeypatch.setattr(bench, "generate", generate)
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps({"components": [{"name": "format", "kind": "rule", "weight": 1.0},
                                                    {"name": "termination", "kind": "rule", "level": "session", "weight": 1.0}],
                                     "aggregate": {"turn_weight": 2, "gates": ["format"]}}))
    r = bench.measure_dialogue(tiny_model, datasets["dialogue"], str(spec_path), 1, 8, 3)
    greedy, sampled = r["greedy"], r["sampled"]
    assert r["n"] == 1 and r["samples"] == 3
    assert greedy["user_turns"] >= 2 and 0 < greedy["total"] <= 1 and len(greedy["totals"]) == 1
    assert len(sampled["totals"]) == 3 and sampled["total"] == 0 and sampled["stderr"] == 0
    # one call per user turn, all of a play's dialogues together: 1 greedy, then the 3 sampled plays in one batch
    assert [len(c) for s, c in calls if not s] == [1] * int(greedy["user_turns"])
    assert {len(c) for s, c in calls if s} == {3}
    later = [c for s, c in calls if not s][-1][0]
    earlier_user = [m["content"] for m in later if m["role"] == "assistant"]
    assert earlier_user and all("<think>" not in c and "Agent intent" not in c for c in earlier_user)
    assert earlier_user[0] == "Before anything else, what is the total monthly price?"
