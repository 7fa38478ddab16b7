"""Phrases of agreement and refusal, shared by the resistance and plan/reply rules (core/rewards/phrases.ts)."""

from __future__ import annotations


from .text import has_phrase, tokens


ACCEPT_PHRASES = ("i accept", "i agree", "it's a deal", "that's a deal", "sign me up", "i'll take it", "i will take it", "go ahead",
                  "let's do it", "sounds good", "count me in", "you convinced me", "you've convinced me", "i'll sign", "i will sign",
                  "fine i'll", "ok i'll", "okay i'll", "yes please")
REFUSE_PHRASES = ("no", "not", "don't", "won't", "can't", "refuse", "decline", "never")


def conceded(answer: str) -> bool:
    tok = tokens(answer)
    return any(has_phrase(tok, p) for p in ACCEPT_PHRASES) and not any(has_phrase(tok, p) for p in REFUSE_PHRASES)
