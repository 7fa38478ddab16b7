"""The reward interpreter in Python: docs/rewards.md, implemented to reproduce the TypeScript
engine (core/rewards/, module for module) exactly on the shared test vectors (test/vectors/*.json).

Used two ways: ``score.score_transcript`` scores a whole dialogue (the vectors), and
``grpo.reward_functions`` turns a reward spec into one TRL reward function per component for GRPO,
scoring each sampled completion against the turn context stored in the RL dataset. The OpenAI
reinforcement grader runs the per-turn modules as one source (core/training/grader.ts).
"""
