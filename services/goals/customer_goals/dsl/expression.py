"""The `where.expression` language: aliases combined with AND, OR, NOT and parentheses.

    expression := or
    or         := and ("OR" and)*
    and        := not ("AND" not)*
    not        := "NOT" not | "(" expression ")" | ALIAS

Keywords are case-insensitive; aliases are names (`[A-Za-z_][A-Za-z0-9_]*`) matched exactly. NOT binds
tightest, then AND, then OR. The result is a tree of tuples: ("alias", name), ("not", node),
("and", [nodes]), ("or", [nodes]). Anything else (an unknown alias, unbalanced parentheses, a
dangling operator, nesting deeper than MAX_DEPTH) is InvalidCustomerGoalRequest naming the problem.
"""
from __future__ import annotations

import re
from typing import Any, Collection

from services.goals.customer_goals.exceptions import InvalidCustomerGoalRequest

MAX_LENGTH = 2000
MAX_DEPTH = 32
KEYWORDS = ("AND", "OR", "NOT")
ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"\s*(?:(\()|(\))|([A-Za-z_][A-Za-z0-9_]*)|(\S))")
FIELD = "where.expression"

Node = tuple


def is_alias(name: Any) -> bool:
    return isinstance(name, str) and bool(ALIAS.fullmatch(name)) and name.upper() not in KEYWORDS


def _bad(message: str) -> InvalidCustomerGoalRequest:
    return InvalidCustomerGoalRequest("{}: {}".format(FIELD, message), FIELD)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """[(kind, text, position)] with kind one of "(", ")", "AND", "OR", "NOT", "alias"."""
    tokens: list[tuple[str, str, int]] = []
    position = 0
    while True:
        match = _TOKEN.match(text, position)
        if match is None:  # only whitespace is left
            return tokens
        opening, closing, word, other = match.groups()
        start = match.start(match.lastindex or 0)
        if other is not None:
            raise _bad("unexpected {!r} at position {}".format(other, start))
        if opening or closing:
            tokens.append((opening or closing, opening or closing, start))
        elif word.upper() in KEYWORDS:
            tokens.append((word.upper(), word, start))
        else:
            tokens.append(("alias", word, start))
        position = match.end()


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]], aliases: Collection[str]) -> None:
        self.tokens, self.aliases, self.index = tokens, aliases, 0

    def peek(self) -> str | None:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expression(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise _bad("nested deeper than {} levels".format(MAX_DEPTH))
        terms = [self.conjunction(depth)]
        while self.peek() == "OR":
            self.take()
            terms.append(self.conjunction(depth))
        return terms[0] if len(terms) == 1 else ("or", terms)

    def conjunction(self, depth: int) -> Node:
        terms = [self.negation(depth)]
        while self.peek() == "AND":
            self.take()
            terms.append(self.negation(depth))
        return terms[0] if len(terms) == 1 else ("and", terms)

    def negation(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise _bad("nested deeper than {} levels".format(MAX_DEPTH))
        kind = self.peek()
        if kind is None:
            raise _bad("ends where an alias or '(' was expected")
        kind, text, position = self.take()
        if kind == "NOT":
            return ("not", self.negation(depth + 1))
        if kind == "(":
            inner = self.expression(depth + 1)
            if self.peek() != ")":
                raise _bad("the '(' at position {} is not closed".format(position))
            self.take()
            return inner
        if kind == "alias":
            if text not in self.aliases:
                raise _bad("unknown alias {!r} (not a condition's alias)".format(text))
            return ("alias", text)
        raise _bad("unexpected {!r} at position {}".format(text, position))


def parse(text: Any, aliases: Collection[str]) -> Node:
    """The tree of `text` over the known `aliases`."""
    if not isinstance(text, str) or not text.strip():
        raise _bad("must be a non-empty string")
    if len(text) > MAX_LENGTH:
        raise _bad("at most {} characters".format(MAX_LENGTH))
    parser = _Parser(tokenize(text), aliases)
    tree = parser.expression(0)
    if parser.index < len(parser.tokens):
        kind, word, position = parser.tokens[parser.index]
        raise _bad("unexpected {!r} at position {}{}".format(
            word, position, " (unbalanced parentheses)" if kind == ")" else ""))
    return tree


def conjunction_of(aliases: list[str]) -> Node:
    """The tree used when a where clause has conditions and no expression: all of them."""
    nodes = [("alias", alias) for alias in aliases]
    return nodes[0] if len(nodes) == 1 else ("and", nodes)


def aliases_in(tree: Node) -> set[str]:
    if tree[0] == "alias":
        return {tree[1]}
    if tree[0] == "not":
        return aliases_in(tree[1])
    return set().union(*(aliases_in(node) for node in tree[1]))
