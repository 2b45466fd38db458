"""The segment filter language: parsed with Lark, compiled to a Django ``Q`` over customers.

Examples::

    tier in (A, B) and clv >= 1000
    gold or mvc
    not drag
    region = "east" and city = "上海"
    attr.hobby = "tea" and tag = "vip"
    bought category "electronics" within 365 days
    no order in 180 days
    complained at least 2 times in 365 days

The ``Q`` only says which customers match; callers apply it on top of the customers a user may
see (:func:`hudong.customers.queries.visible_customers`), so scope always holds. Errors are
:class:`~hudong.core.errors.DomainError` with the codes ``segments.syntax``,
``segments.unknown_field`` and ``segments.bad_value``, and say at which column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from hudong.core.errors import DomainError
from hudong.insights.segments import fields as F

MAX_LENGTH = 4000
MAX_DAYS = 36_600

GRAMMAR = r"""
?start: expr
?expr: and_expr (OR and_expr)*
?and_expr: not_expr (AND not_expr)*
?not_expr: NOT not_expr -> negation
    | atom
?atom: LPAR expr RPAR
    | comparison
    | membership
    | flag
    | behaviour
comparison: field OPERATOR value
membership: field IN LPAR value (COMMA value)* RPAR
    | field NOT IN LPAR value (COMMA value)* RPAR -> non_membership
flag: NAME
field: NAME (DOT NAME)?
value: STRING | NUMBER | NAME
?behaviour: BOUGHT CATEGORY value (WITHIN NUMBER DAYS)? -> bought
    | NO ORDER IN NUMBER DAYS -> no_order
    | ORDERED IN NUMBER DAYS -> ordered
    | COMPLAINED (AT LEAST NUMBER TIMES)? IN NUMBER DAYS -> complained

OR.2: /or\b/i
AND.2: /and\b/i
NOT.2: /not\b/i
IN.2: /in\b/i
BOUGHT.2: /bought\b/i
CATEGORY.2: /category\b/i
WITHIN.2: /within\b/i
DAYS.2: /days?\b/i
NO.2: /no\b/i
ORDER.2: /order\b/i
ORDERED.2: /ordered\b/i
COMPLAINED.2: /complained\b/i
AT.2: /at\b/i
LEAST.2: /least\b/i
TIMES.2: /times?\b/i
OPERATOR: "!=" | "<=" | ">=" | "=" | "<" | ">"
LPAR: "("
RPAR: ")"
COMMA: ","
DOT: "."
STRING: /"(?:[^"\\]|\\.)*"/
NUMBER: /-?\d+(\.\d+)?(?![\w])/
NAME: /(?!(?:and|or|not|in)\b)(?!\d)[\w][\w-]*/i

%import common.WS
%ignore WS
"""

# What the parser expected, in words a user understands.
EXPECTED = {
    "NAME": _("a field"),
    "STRING": _('a text in double quotes, like "east"'),
    "NUMBER": _("a number"),
    "OPERATOR": _("an operator (=, !=, <, <=, >, >=)"),
    "IN": "in",
    "NOT": "not",
    "AND": "and",
    "OR": "or",
    "LPAR": "(",
    "RPAR": ")",
    "COMMA": ",",
    "DOT": ".",
    "DAYS": "days",
    "TIMES": "times",
    "CATEGORY": "category",
    "ORDER": "order",
    "LEAST": "least",
    "BOUGHT": "bought category …",
    "NO": "no order in …",
    "ORDERED": "ordered in …",
    "COMPLAINED": "complained …",
    "$END": _("the end of the filter"),
}


@cache
def parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


@dataclass(frozen=True)
class Problem:
    code: str
    message: Any
    column: int
    expected: tuple[str, ...] = ()


def error(code: str, message: Any, column: int, expected: tuple[str, ...] = ()) -> DomainError:
    return DomainError(code, message, column=column, expected=list(expected))


def parse(text: str) -> Tree | None:
    """The syntax tree of ``text`` (None for an empty filter: everyone)."""
    if len(text) > MAX_LENGTH:
        raise error(
            "segments.syntax",
            _("The filter is too long (at most %(n)d characters).") % {"n": MAX_LENGTH},
            MAX_LENGTH + 1,
        )
    if not text.strip():
        return None
    try:
        return parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None


def _words(names: set[str] | frozenset[str]) -> tuple[str, ...]:
    words = {n: EXPECTED[n] for n in names if n in EXPECTED}
    if "NAME" in words and ("STRING" in names or "NUMBER" in names):
        words["NAME"] = _("a word, like A or organization")  # a value, not a field
    shown = {str(w) for w in words.values()}
    return tuple(sorted(shown))


def _syntax_error(text: str, exc: UnexpectedInput) -> DomainError:
    column = int(getattr(exc, "column", 0) or 0)
    expected: tuple[str, ...] = ()
    if isinstance(exc, UnexpectedToken):
        expected = _words(exc.expected)
        if exc.token.type == "$END":
            column = len(text.rstrip()) + 1
    elif isinstance(exc, UnexpectedCharacters):
        expected = _words(exc.allowed or set())
    elif isinstance(exc, UnexpectedEOF):
        expected = _words(set(exc.expected))
        column = len(text.rstrip()) + 1
    column = max(column, 1)
    if expected:
        message = gettext("Syntax error at column %(column)d: expected %(expected)s.") % {
            "column": column,
            "expected": gettext(" or ").join(expected),
        }
    else:
        message = gettext("Syntax error at column %(column)d.") % {"column": column}
    return error("segments.syntax", message, column, expected)


class Compiler:
    """Turns a syntax tree into a ``Q``. ``now`` anchors "in N days" (the run's as-of time for
    snapshots, the present otherwise)."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or timezone.now()

    def compile(self, tree: Tree | Token) -> Q:
        if isinstance(tree, Token):  # a lone NAME reduced to a flag by the grammar
            return self.flag(tree)
        method = getattr(self, f"rule_{tree.data}", None)
        if method is None:  # pragma: no cover - the grammar and the compiler move together
            raise error("segments.syntax", gettext("Unsupported construct."), 1)
        return method(tree)

    # -- boolean structure ---------------------------------------------------------------------
    def rule_expr(self, tree: Tree) -> Q:
        parts = [self.compile(c) for c in tree.children if not _is(c, "OR")]
        q = parts[0]
        for p in parts[1:]:
            q |= p
        return q

    def rule_and_expr(self, tree: Tree) -> Q:
        parts = [self.compile(c) for c in tree.children if not _is(c, "AND")]
        q = parts[0]
        for p in parts[1:]:
            q &= p
        return q

    def rule_negation(self, tree: Tree) -> Q:
        return ~self.compile(tree.children[1])

    def rule_atom(self, tree: Tree) -> Q:  # ( expr )
        return self.compile(tree.children[1])

    # -- fields --------------------------------------------------------------------------------
    def rule_flag(self, tree: Tree) -> Q:
        return self.flag(_tokens(tree, "NAME")[0])

    def flag(self, token: Token) -> Q:
        name = str(token).lower()
        if name in F.FLAGS:
            return Q(**{F.FLAGS[name]: True})
        if F.lookup(name) is not None:
            raise error(
                "segments.syntax",
                gettext("Column %(column)d: “%(field)s” needs a comparison, like %(field)s = …")
                % {"column": token.column, "field": name},
                token.column or 1,
                (str(EXPECTED["OPERATOR"]),),
            )
        raise _unknown(str(token), token.column or 1)

    def rule_comparison(self, tree: Tree) -> Q:
        field, _op, value = tree.children
        op = _tokens(tree, "OPERATOR")[0]
        spec, key, _column = self.field(field)
        return spec.compare(key, str(op), [self.value(value)], op.column or 1)

    def rule_membership(self, tree: Tree) -> Q:
        field = tree.children[0]
        spec, key, column = self.field(field)
        values = [self.value(c) for c in tree.children if isinstance(c, Tree)][1:]
        return spec.compare(key, "in", values, column)

    def rule_non_membership(self, tree: Tree) -> Q:
        return ~self.rule_membership(tree)

    def field(self, tree: Tree) -> tuple[F.Field, str, int]:
        names = [t for t in tree.children if isinstance(t, Token) and t.type == "NAME"]
        head = names[0]
        column = head.column or 1
        if len(names) == 2:
            if str(head).lower() != "attr":
                raise _unknown(f"{head}.{names[1]}", column)
            return F.ATTRIBUTE, str(names[1]), column
        spec = F.lookup(str(head).lower())
        if spec is None:
            raise _unknown(str(head), column)
        return spec, str(head).lower(), column

    def value(self, tree: Tree) -> F.Value:
        token = tree.children[0]
        assert isinstance(token, Token)
        column = token.column or 1
        if token.type == "STRING":
            return F.Value(_unquote(str(token)), column, quoted=True)
        if token.type == "NUMBER":
            try:
                return F.Value(str(token), column, number=Decimal(str(token)))
            except InvalidOperation:  # pragma: no cover - the grammar only lets digits through
                raise F.bad_value(column, str(token)) from None
        return F.Value(str(token), column)

    # -- behaviour -----------------------------------------------------------------------------
    def days(self, token: Token) -> int:
        try:
            n = int(str(token))
        except ValueError:
            raise F.bad_value(
                token.column or 1, str(token), gettext("a whole number of days")
            ) from None
        if not 1 <= n <= MAX_DAYS:
            raise F.bad_value(
                token.column or 1, str(token), gettext("between 1 and %(n)d days") % {"n": MAX_DAYS}
            )
        return n

    def times(self, token: Token) -> int:
        text = str(token)
        if not text.isdigit() or not 1 <= int(text) <= 10_000:
            raise F.bad_value(token.column or 1, text, gettext("a whole number from 1"))
        return int(text)

    def since(self, token: Token) -> dt.datetime:
        return self.now - dt.timedelta(days=self.days(token))

    def rule_bought(self, tree: Tree) -> Q:
        value = self.value(tree.children[2])
        numbers = _tokens(tree, "NUMBER")
        since = self.since(numbers[0]) if numbers else None
        return F.bought_category(value, since)

    def rule_no_order(self, tree: Tree) -> Q:
        return ~F.ordered_since(self.since(_tokens(tree, "NUMBER")[0]))

    def rule_ordered(self, tree: Tree) -> Q:
        return F.ordered_since(self.since(_tokens(tree, "NUMBER")[0]))

    def rule_complained(self, tree: Tree) -> Q:
        numbers = _tokens(tree, "NUMBER")
        at_least = self.times(numbers[0]) if len(numbers) == 2 else 1
        days = self.days(numbers[-1])
        return F.complained(days, at_least, self.now)


def _is(node: Any, kind: str) -> bool:
    return isinstance(node, Token) and node.type == kind


def _tokens(tree: Tree, kind: str) -> list[Token]:
    return [t for t in tree.children if isinstance(t, Token) and t.type == kind]


def _unquote(text: str) -> str:
    inner = text[1:-1]
    return inner.replace('\\"', '"').replace("\\\\", "\\")


def _unknown(name: str, column: int) -> DomainError:
    return error(
        "segments.unknown_field",
        gettext("Column %(column)d: unknown field “%(field)s”. Fields: %(fields)s.")
        % {"column": column, "field": name, "fields": ", ".join(F.names())},
        column,
        tuple(F.names()),
    )


def compile_filter(text: str, now: dt.datetime | None = None) -> Q:
    """The ``Q`` of a filter text; raises a DomainError that says where and what is wrong."""
    tree = parse(text)
    if tree is None:
        return Q()
    return Compiler(now).compile(tree)


def check(text: str) -> None:
    """Raise the filter's error, if any, without running it."""
    compile_filter(text)
