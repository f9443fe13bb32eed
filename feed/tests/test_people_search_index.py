"""People search: found from the index of lower-cased handles and names, never by reading
every account, with the same matches as before (any case, handle or name, teens kept from
strangers, exact handle first)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from accounts.services.blocks import block_create
from accounts.services.users import follow_create
from conftest import make_user
from feed.growth import accounts_scans, captured_queries, query_plan, touches_accounts
from feed.selectors.social import search_people


def _named(username: str, first: str = "", last: str = "") -> User:
    person = make_user(username)
    # Names are written in the admin only; no service sets them.
    User.objects.filter(pk=person.pk).update(first_name=first, last_name=last)
    return person


def _found(viewer: User, query: str) -> list[str]:
    return [person.username for person in search_people(viewer=viewer, query=query)]


def _people_query_plan(viewer: User, query: str) -> tuple[str, list[str]]:
    with captured_queries() as queries:
        search_people(viewer=viewer, query=query)
    (sql, params), *others = [
        (sql, params) for sql, params in queries if touches_accounts(sql) and "LOWER" in sql
    ]
    assert others == []
    return sql, query_plan(sql, params)


@pytest.mark.django_db
def test_people_search_reads_the_handle_and_name_indexes_not_every_account(
    alice: User, charlie: User
) -> None:
    for number in range(30):
        make_user(f"person{number}")
    sql, plan = _people_query_plan(charlie, "ALI")
    steps = "\n".join(plan)
    assert accounts_scans(sql, plan) == []
    for field in ("username", "first_name", "last_name"):
        assert f"user_{field}_search_key" in steps


@pytest.mark.django_db
def test_a_case_blind_prefix_filter_reads_every_account_and_is_flagged(alice: User) -> None:
    query = User.objects.filter(username__istartswith="ali")
    sql, params = query.query.sql_with_params()
    plan = query_plan(sql, params)
    assert accounts_scans(sql, plan), plan


def test_postgres_and_sqlite_plans_that_read_every_account_are_flagged() -> None:
    sql = 'SELECT 1 FROM "accounts_user" LEFT OUTER JOIN "accounts_block" U1 ON (1 = 1)'
    assert accounts_scans(sql, ["Seq Scan on accounts_user  (cost=0.00..1.00)"])
    assert accounts_scans(sql, ["SCAN accounts_user USING COVERING INDEX x"])
    found = [
        "Index Scan using accounts_user_pkey on accounts_user  (cost=0.29..8.31 rows=1)",
        "  Index Cond: (id = 2)",
    ]
    assert accounts_scans(sql, found) == []
    assert accounts_scans(sql, ["SEARCH accounts_user USING INTEGER PRIMARY KEY (rowid=?)"]) == []
    assert accounts_scans(sql, ["SCAN U1"]) == []  # another table


@pytest.mark.django_db
def test_people_are_found_by_handle_first_name_or_last_name_in_any_case(charlie: User) -> None:
    _named("dana_k", "Dana", "Kowalski")
    _named("zed", "Kofi", "Mensah")
    _named("mensa_club")
    assert _found(charlie, "DANA") == ["dana_k"]
    assert _found(charlie, "kO") == ["zed", "dana_k"]  # first name, then last name; shorter first
    assert _found(charlie, "@Mens") == ["zed", "mensa_club"]
    assert _found(charlie, "owalski") == []  # a prefix, not anywhere in the name


@pytest.mark.django_db
def test_a_prefix_with_an_underscore_means_the_underscore(charlie: User) -> None:
    make_user("dog_lover")
    make_user("dogs")
    make_user("dog_")
    assert _found(charlie, "dog_") == ["dog_", "dog_lover"]
    assert _found(charlie, "dog") == ["dog_", "dogs", "dog_lover"]
    assert _found(charlie, "%") == []


@pytest.mark.django_db
def test_the_exact_handle_comes_first(charlie: User) -> None:
    make_user("ann")
    _named("annabel", "Ann")
    make_user("anne")
    assert _found(charlie, "Ann") == ["ann", "anne", "annabel"]


@pytest.mark.django_db
def test_a_teen_is_found_by_a_mutual_follow_never_by_a_stranger(
    teen: User, alice: User, charlie: User
) -> None:
    follow_create(follower=alice, followee=teen)
    follow_create(follower=teen, followee=alice)
    assert _found(charlie, "tess") == []
    assert _found(alice, "TESS") == ["tess"]
    assert _found(teen, "tes") == ["tess"]


@pytest.mark.django_db
def test_blocked_people_stay_out_of_the_search_either_way(alice: User, bob: User) -> None:
    block_create(blocker=bob, blocked=alice)
    assert _found(alice, "bo") == []
    assert _found(bob, "AL") == []


@pytest.mark.django_db
def test_the_indexes_are_on_the_database() -> None:
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, User._meta.db_table)
    assert {
        "user_username_search_key",
        "user_first_name_search_key",
        "user_last_name_search_key",
    } <= set(indexes)
