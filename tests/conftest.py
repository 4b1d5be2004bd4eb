"""Personas and fixtures shared by the whole suite: a visitor, a member, a moderator, an admin."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import PASSWORD, CategoryFactory, MemberFactory, make_thread


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return MemberFactory(username="alice", display_name="Alice Martin")


@pytest.fixture
def other_member(db):
    return MemberFactory(username="bruno", display_name="Bruno Petit")


@pytest.fixture
def moderator(db):
    return MemberFactory(username="noor", display_name="Noor Haddad", is_moderator=True)


@pytest.fixture
def admin_member(db):
    return MemberFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def visitor_client() -> Client:
    return Client()


def _signed_in(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def member_client(member) -> Client:
    return _signed_in(member)


@pytest.fixture
def other_client(other_member) -> Client:
    return _signed_in(other_member)


@pytest.fixture
def moderator_client(moderator) -> Client:
    return _signed_in(moderator)


@pytest.fixture
def category(db):
    return CategoryFactory(name="Gardens", slug="gardens")


@pytest.fixture
def thread(category, member):
    return make_thread(category=category, author=member, title="Seed swap in spring")


@pytest.fixture
def password() -> str:
    return PASSWORD


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run the suite through `make test`)")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)
