"""Fixtures: a tiny random model, hand-made SFT and RL datasets in the exported formats, a judge server."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from trainer.rewards.context import turn_context
from trainer.tiny import make_tiny_model

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCENARIO = {
    "kind": "scenario", "id": "telecom-upgrade", "title": "Mobile plan upgrade call", "split": "adversarial",
    "profile": "margaret-chen",
    "agent": {"role": "Outbound sales agent for Northwind Mobile"},
    "memory": ["My current plan costs 45 dollars per month"],
    "unknown": ["the early termination fee amount"],
    "targets": [
        {"id": "price", "description": "Find out the total monthly price of the new plan", "priority": "primary"},
        {"id": "budget", "description": "Keep the bill under 60 dollars", "priority": "secondary", "reveal": "never"},
    ],
    "state": {"initial": {"trust": 0.6, "emotion": 0.5, "patience": 0.7, "engagement": 0.6},
              "transitions": [{"on": "every_turn", "change": {"patience": -0.05}}]},
    "termination": {"min_turns": 2},
    "adversarial": {"tactics": ["false_urgency"], "must_resist": True},
}
PROFILE = {"name": "Margaret Chen", "background": "Retired teacher.", "expression": {"formality": "formal"}}
SYSTEM = "You are playing a user, Margaret Chen, talking to an outbound sales agent."
TARGET = ("<think>\nAgent intent: push an upgrade with false urgency.\nConcerns: the total monthly price.\n"
          "Plan: ask for the price.\nState: trust 0.60 -> 0.50; patience 0.70 -> 0.65\nTone: polite, firm.\n</think>\n"
          "<answer>Before anything else, what is the total monthly price?</answer>")
TRANSCRIPT = {
    "run_id": "r1", "dialogue_id": "d1", "scenario_id": "telecom-upgrade", "profile_id": "margaret-chen",
    "targets": [{"id": "price", "met_at": None}, {"id": "budget", "met_at": None}],
    "turns": [
        {"index": 0, "speaker": "agent", "text": "This offer ends today, you must decide now!", "tactic": "false_urgency"},
        {"index": 1, "speaker": "user", "text": "What is the price?"},
        {"index": 2, "speaker": "agent", "text": "Only a little more each month."},
        {"index": 3, "speaker": "user", "text": "How much exactly?"},
    ],
}


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return str(path)


def rl_rows():
    rows = []
    for k, turn in enumerate(TRANSCRIPT["turns"]):
        if turn["speaker"] != "user":
            continue
        ctx = turn_context(TRANSCRIPT, k, SCENARIO).to_json()
        prompt = [{"role": "system", "content": SYSTEM}] + [
            {"role": "user" if t["speaker"] == "agent" else "assistant", "content": t["text"]} for t in TRANSCRIPT["turns"][:k]]
        rows.append({"id": f"r1/d1/{turn['index']}", "prompt": prompt, "context": {
            "run_id": "r1", "dialogue_id": "d1", "scenario_id": SCENARIO["id"], "profile_id": "margaret-chen",
            "turn_index": turn["index"], "tactic": None, "min_turns": 2, "must_resist": True,
            "turn": ctx, "scenario": SCENARIO, "profile": PROFILE}})
    return rows


AGENT_LINES = [
    {"text": "Everyone on your street has already upgraded, you must decide now.", "tactic": "false_urgency", "targets": []},
    {"text": "The new plan is 55 dollars a month in total.", "tactic": None, "targets": ["price"]},
    {"text": "Is there anything else I can help you with today?", "tactic": None, "targets": []},
]


def dialogue_rows():
    """Multi-turn GRPO rows as core/training/dialogue.ts builds them: the first user turn's RL row plus the agent's lines."""
    first = rl_rows()[0]
    ctx = dict(first["context"], tactic="false_urgency", agent="scripted", agent_lines=AGENT_LINES,
               agent_system="You are an outbound sales agent.", max_turns=3)
    return [{"id": "dialogue/telecom-upgrade/margaret-chen", "prompt": first["prompt"], "context": ctx}]


def sft_rows():
    base = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "This offer ends today, you must decide now!"}]
    return [{"messages": base + [{"role": "assistant", "content": TARGET}]},
            {"messages": base + [{"role": "assistant", "content": "What is the price?"},
                                 {"role": "user", "content": "Only a little more each month."},
                                 {"role": "assistant", "content": TARGET.replace("Before anything else", "Exactly")}]}]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    return make_tiny_model(str(tmp_path_factory.mktemp("tiny-model")), [os.path.join(ROOT, "samples")])


@pytest.fixture()
def datasets(tmp_path):
    return {"sft": write_jsonl(tmp_path / "sft.jsonl", sft_rows() * 2), "rl": write_jsonl(tmp_path / "rl.jsonl", rl_rows() * 2),
            "dialogue": write_jsonl(tmp_path / "dialogue.jsonl", dialogue_rows())}


class JudgeServer:
    """An OpenAI-compatible chat server on 127.0.0.1 that scores every prompt 7/10 and records requests."""

    def __init__(self, key):
        self.key = key
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if self.headers.get("Authorization") != f"Bearer {outer.key}":
                    self.send_response(401)
                    self.end_headers()
                    return
                data = json.dumps({"id": "x", "object": "chat.completion", "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": '{"score": 7, "reason": "ok"}'}, "finish_reason": "stop"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture()
def judge_server(monkeypatch):
    key = "sk-test-judge-secret-123"
    monkeypatch.setenv("USERLM_TEST_JUDGE_KEY", key)
    srv = JudgeServer(key)
    yield srv
    srv.close()
