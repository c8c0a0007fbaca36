"""The REST filter/order_by grammar (Twenty's query-string syntax)."""

from __future__ import annotations

import contextlib
import random

import pytest

from rolodex.api.rest.grammar import MAX_DEPTH, parse_filter, parse_order_by
from rolodex.kit.errors import BadRequest
from rolodex.records.query import OPERATORS, And, Cond, Direction, Not, Or, Order

# --- conditions ---------------------------------------------------------------------------


@pytest.mark.parametrize("op", sorted(OPERATORS - {"in", "is"}))
def test_every_scalar_operator(op: str) -> None:
    assert parse_filter(f"name[{op}]:Jo") == Cond("name", op, "Jo")


def test_examples() -> None:
    assert parse_filter("email[eq]:john@example.com") == Cond("email", "eq", "john@example.com")
    assert parse_filter("employees[gte]:10") == Cond("employees", "gte", "10")
    assert parse_filter("name[contains]:Jo") == Cond("name", "contains", "Jo")
    assert parse_filter("name[startsWith]:J") == Cond("name", "startsWith", "J")
    assert parse_filter("name[ilike]:%jo%") == Cond("name", "ilike", "%jo%")


def test_values_stay_strings() -> None:
    assert parse_filter("employees[eq]:10").value == "10"
    assert parse_filter("done[eq]:true").value == "true"


def test_dotted_field() -> None:
    assert parse_filter("name.firstName[eq]:John") == Cond("name.firstName", "eq", "John")
    assert parse_filter("a_b.c_1.d[neq]:x") == Cond("a_b.c_1.d", "neq", "x")


def test_function_names_can_be_fields() -> None:
    assert parse_filter("and[eq]:1") == Cond("and", "eq", "1")
    assert parse_filter("not[is]:NULL") == Cond("not", "is", "NULL")


@pytest.mark.parametrize(
    "text, value",
    [
        ("createdAt[gte]:2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        ("createdAt[lt]:2025-01-01T00:00:00.000+02:00", "2025-01-01T00:00:00.000+02:00"),
        ("url[eq]:https://example.com:8080/a?b=c", "https://example.com:8080/a?b=c"),
        ("note[eq]:a]:b", "a]:b"),
        ("note[eq]::", ":"),
    ],
)
def test_colons_in_values(text: str, value: str) -> None:
    assert parse_filter(text).value == value


def test_empty_value_is_empty_string() -> None:
    assert parse_filter("name[eq]:") == Cond("name", "eq", "")
    assert parse_filter('name[eq]:""') == Cond("name", "eq", "")
    assert parse_filter("a[eq]:,b[eq]:") == And((Cond("a", "eq", ""), Cond("b", "eq", "")))


# --- quoting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ('name[eq]:"Doe, John"', "Doe, John"),
        ('name[eq]:"f(x), g(y)"', "f(x), g(y)"),
        ('name[eq]:"say \\"hi\\""', 'say "hi"'),
        ('name[eq]:"back\\\\slash"', "back\\slash"),
        ('name[eq]:"  padded  "', "  padded  "),
        ('name[eq]:"a:b]c[d"', "a:b]c[d"),
        ('name[eq]:  "x"  ', "x"),
    ],
)
def test_quoted_values(text: str, value: str) -> None:
    assert parse_filter(text) == Cond("name", "eq", value)


def test_quoted_value_inside_group() -> None:
    assert parse_filter('or(name[eq]:"a,b)",name[eq]:"(c")') == Or(
        (Cond("name", "eq", "a,b)"), Cond("name", "eq", "(c"))
    )


def test_backslash_in_unquoted_value_is_literal() -> None:
    assert parse_filter("path[eq]:C:\\temp").value == "C:\\temp"


# --- in / is ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("status[in]:[TODO,DONE]", ["TODO", "DONE"]),
        ("status[in]:[TODO]", ["TODO"]),
        ("status[in]:[]", []),
        ("status[in]:[ ]", []),
        ('status[in]:["TODO","DONE"]', ["TODO", "DONE"]),
        ('status[in]:["a, b", c ,"d]"]', ["a, b", "c", "d]"]),
        ('status[in]:[ "x\\"y" , in progress ]', ['x"y', "in progress"]),
        (
            "at[in]:[2025-01-01T00:00:00Z,2025-02-01T10:00Z]",
            ["2025-01-01T00:00:00Z", "2025-02-01T10:00Z"],
        ),
    ],
)
def test_in_lists(text: str, value: list[str]) -> None:
    cond = parse_filter(text)
    assert isinstance(cond, Cond) and cond.op == "in"
    assert cond.value == value


def test_in_list_inside_groups() -> None:
    assert parse_filter("and(status[in]:[A,B],x[eq]:1)") == And(
        (Cond("status", "in", ["A", "B"]), Cond("x", "eq", "1"))
    )


@pytest.mark.parametrize(
    "raw, value",
    [
        ("NULL", "NULL"),
        ("null", "NULL"),
        ("Null", "NULL"),
        ("NOT_NULL", "NOT_NULL"),
        ("not_null", "NOT_NULL"),
        ('"NULL"', "NULL"),
        (" NOT_NULL ", "NOT_NULL"),
    ],
)
def test_is(raw: str, value: str) -> None:
    assert parse_filter(f"email[is]:{raw}") == Cond("email", "is", value)


# --- structure ----------------------------------------------------------------------------


def test_single_condition_is_not_wrapped() -> None:
    assert isinstance(parse_filter("a[eq]:1"), Cond)


def test_top_level_conditions_are_anded() -> None:
    assert parse_filter("a[eq]:1,b[eq]:2") == And((Cond("a", "eq", "1"), Cond("b", "eq", "2")))
    assert parse_filter("a[eq]:1,b[eq]:2,c[eq]:3") == And(
        (Cond("a", "eq", "1"), Cond("b", "eq", "2"), Cond("c", "eq", "3"))
    )


def test_nesting() -> None:
    assert parse_filter("or(email[eq]:a@b.com,and(name[contains]:Jo,not(phone[is]:NULL)))") == Or(
        (
            Cond("email", "eq", "a@b.com"),
            And((Cond("name", "contains", "Jo"), Not(Cond("phone", "is", "NULL")))),
        )
    )


def test_groups() -> None:
    a, b = Cond("a", "eq", "1"), Cond("b", "eq", "2")
    assert parse_filter("and(a[eq]:1,b[eq]:2)") == And((a, b))
    assert parse_filter("or(a[eq]:1,b[eq]:2)") == Or((a, b))
    assert parse_filter("and(a[eq]:1)") == And((a,))
    assert parse_filter("not(a[eq]:1)") == Not(a)
    assert parse_filter("not(a[eq]:1,b[eq]:2)") == Not(And((a, b)))
    assert parse_filter("not(or(a[eq]:1,b[eq]:2))") == Not(Or((a, b)))
    assert parse_filter("not(not(a[eq]:1))") == Not(Not(a))
    assert parse_filter("or(a[eq]:1),b[eq]:2") == And((Or((a,)), b))


def test_whitespace_is_ignored_around_tokens() -> None:
    expected = Or((Cond("a", "eq", "1"), Not(Cond("b", "is", "NULL"))))
    assert parse_filter(" or ( a[eq]:1 ,  not( b[is]:NULL ) ) ") == expected
    assert parse_filter("or(\n\ta [ eq ] : 1,\n\tnot(b[is]:NULL))") == expected


def test_whitespace_inside_unquoted_value_is_kept() -> None:
    assert parse_filter("name[eq]:  John  Doe  ") == Cond("name", "eq", "John  Doe")
    assert parse_filter("and(name[eq]: John Doe ,x[eq]:1)") == And(
        (Cond("name", "eq", "John Doe"), Cond("x", "eq", "1"))
    )


def test_unquoted_value_runs_to_the_next_top_level_comma() -> None:
    # A missing comma is not an error: the rest is part of the value (quote to be explicit).
    assert parse_filter("and(a[eq]:1 b[eq]:2)") == And((Cond("a", "eq", "1 b[eq]:2"),))


def test_max_depth_is_allowed() -> None:
    text = "not(" * MAX_DEPTH + "a[eq]:1" + ")" * MAX_DEPTH
    node = parse_filter(text)
    for _ in range(MAX_DEPTH):
        assert isinstance(node, Not)
        node = node.item
    assert node == Cond("a", "eq", "1")


# --- errors -------------------------------------------------------------------------------


MALFORMED = [
    "",
    "   ",
    "name",
    "name[eq]",
    "name[eq]John",
    "name[]:x",
    "name[equals]:x",
    "name[EQ]:x",
    "name[eq:x",
    "name eq:x",
    "[eq]:x",
    "1name[eq]:x",
    "name.[eq]:x",
    "name..first[eq]:x",
    "a[eq]:1,",
    ",a[eq]:1",
    "a[eq]:1,,b[eq]:2",
    "and()",
    "and(a[eq]:1",
    "and(a[eq]:1))",
    "a[eq]:1)",
    "xor(a[eq]:1)",
    "AND(a[eq]:1)",
    "and(a[eq]:1)(b[eq]:2)",
    'name[eq]:"unterminated',
    'name[eq]:"bad \\n escape"',
    'name[eq]:"x"y',
    'name[eq]:ab"c',
    "name[eq]:f(x)",
    "status[in]:TODO",
    "status[in]:[TODO",
    "status[in]:[TODO,",
    "status[in]:[a,,b]",
    "status[in]:[a](",
    'status[in]:[a"b]',
    "status[in]:[[a]]",
    "email[is]:nothing",
    "email[is]:",
    "and(a[eq]:1)x",
    "not(" * (MAX_DEPTH + 1) + "a[eq]:1" + ")" * (MAX_DEPTH + 1),
    "(" * 5000,
    "a[eq]:" + "x" * 10_000,
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_filters_raise_bad_request(text: str) -> None:
    with pytest.raises(BadRequest):
        parse_filter(text)


def test_error_message_quotes_filter_and_position() -> None:
    with pytest.raises(BadRequest) as e:
        parse_filter("name[equals]:x")
    assert '"name[equals]:x"' in e.value.message
    assert "unknown operator 'equals'" in e.value.message
    assert "position 5" in e.value.message
    with pytest.raises(BadRequest) as e:
        parse_filter("and(a[eq]:1")
    assert "missing ')'" in e.value.message and "position 0" in e.value.message
    with pytest.raises(BadRequest) as e:
        parse_filter('x[eq]:1,name[eq]:"abc')
    assert "unterminated" in e.value.message and "position 17" in e.value.message


def test_error_messages_are_bounded() -> None:
    with pytest.raises(BadRequest) as e:
        parse_filter("a[eq]:1," * 1000 + "?")
    assert len(e.value.message) < 300
    with pytest.raises(BadRequest) as e:
        parse_filter("x" * 20_000)
    assert "too long" in e.value.message and len(e.value.message) < 300


def _random_text(rng: random.Random, alphabet: str, max_len: int = 30) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, max_len)))


def test_random_filters_only_ever_raise_bad_request() -> None:
    rng = random.Random(0)
    alphabet = 'abc[]():,"\\ eqin'
    for _ in range(2000):
        with contextlib.suppress(BadRequest):
            parse_filter(_random_text(rng, alphabet))


def test_random_mutations_of_valid_filters() -> None:
    rng = random.Random(0)
    seed = 'or(email[eq]:"a,b",and(name[in]:[x,"y"],not(phone[is]:NULL)))'
    parsed = 0
    for _ in range(2000):
        chars = list(seed)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(chars))
            if rng.random() < 0.5:
                del chars[i]
            else:
                chars.insert(i, rng.choice('[]():,"\\ '))
        try:
            parse_filter("".join(chars))
        except BadRequest:
            continue
        parsed += 1
    assert 0 < parsed < 2000  # both paths were exercised


# --- order_by -----------------------------------------------------------------------------


def test_order_by() -> None:
    assert parse_order_by("createdAt[DescNullsLast],name") == (
        Order("createdAt", Direction.DESC_NULLS_LAST),
        Order("name", Direction.ASC_NULLS_FIRST),
    )
    assert parse_order_by("name") == (Order("name"),)
    assert parse_order_by("name.lastName[desc]") == (
        Order("name.lastName", Direction.DESC_NULLS_LAST),
    )


@pytest.mark.parametrize(
    "word, direction",
    [
        ("AscNullsFirst", Direction.ASC_NULLS_FIRST),
        ("AscNullsLast", Direction.ASC_NULLS_LAST),
        ("DescNullsFirst", Direction.DESC_NULLS_FIRST),
        ("DescNullsLast", Direction.DESC_NULLS_LAST),
        ("descnullsfirst", Direction.DESC_NULLS_FIRST),
        ("asc", Direction.ASC_NULLS_FIRST),
        ("ASC", Direction.ASC_NULLS_FIRST),
        ("desc", Direction.DESC_NULLS_LAST),
    ],
)
def test_order_by_directions(word: str, direction: Direction) -> None:
    assert parse_order_by(f"name[{word}]") == (Order("name", direction),)


def test_order_by_whitespace() -> None:
    assert parse_order_by(" a [ desc ] , b ") == (
        Order("a", Direction.DESC_NULLS_LAST),
        Order("b", Direction.ASC_NULLS_FIRST),
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "name[]",
        "name[up]",
        "name[desc",
        "name desc",
        "name[desc]x",
        "name,",
        ",name",
        "a,,b",
        "name,name[desc]",
        "1name",
        "name[Desc Nulls]",
        "name(desc)",
        "n" * 10_001,
    ],
)
def test_malformed_order_by_raises_bad_request(text: str) -> None:
    with pytest.raises(BadRequest):
        parse_order_by(text)


def test_order_by_errors_name_allowed_values() -> None:
    with pytest.raises(BadRequest) as e:
        parse_order_by("name[sideways]")
    for allowed in ("AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast"):
        assert allowed in e.value.message
    assert "sideways" in e.value.message
    with pytest.raises(BadRequest) as e:
        parse_order_by("a,b,a")
    assert "twice" in e.value.message


def test_random_order_by_only_ever_raises_bad_request() -> None:
    rng = random.Random(0)
    alphabet = "abc[](),. descAN_"
    for _ in range(2000):
        text = _random_text(rng, alphabet)
        with contextlib.suppress(BadRequest):
            parse_order_by(text)
