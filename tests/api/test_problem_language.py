"""A problem's ``detail`` and ``errors`` are in the request's language (Accept-Language);
the English stays word for word what API clients read today."""

from __future__ import annotations

from tests.api.conftest import API

ZH = {"Accept-Language": "zh-CN"}


def test_a_taken_slug_is_refused_in_the_language_asked_for(client, make_entry, user):
    make_entry("Pixel 8")
    body = {"title": "Pixel 8", "slug": "pixel-8", "category": "phones"}

    english = client.post(f"{API}/entries", json=body, headers=user.bearer)
    assert english.status_code == 409
    assert english.get_json()["detail"] == "An entry with this slug already exists."
    assert english.get_json()["errors"] == {"slug": "An entry with this slug already exists."}

    chinese = client.post(f"{API}/entries", json=body, headers={**user.bearer, **ZH})
    assert chinese.status_code == 409
    assert chinese.headers["Content-Type"].startswith("application/problem+json")
    assert chinese.get_json()["detail"] == "已有使用这个网址名的条目。"
    assert chinese.get_json()["errors"] == {"slug": "已有使用这个网址名的条目。"}


def test_a_missing_entry_names_its_kind_in_chinese(client, catalog):
    english = client.get(f"{API}/entries/no-such-phone")
    assert english.status_code == 404
    assert english.get_json()["detail"] == "Entry 'no-such-phone' does not exist."
    chinese = client.get(f"{API}/entries/no-such-phone", headers=ZH)
    assert chinese.get_json()["detail"] == "条目 'no-such-phone' 不存在。"


def test_a_query_problem_is_said_in_the_language_asked_for(client, catalog):
    """The filter language's sentences are templates too; English as before."""
    url = f"{API}/entries?sort=title,title&attr.weight=lt.(1,2)"
    english = client.get(url).get_json()
    assert english["errors"]["sort"] == 'sort names "title" twice.'
    assert english["errors"]["attr.weight"] == (
        'Weight must be a number, like "171 g"; "(1,2)" is not one.')
    chinese = client.get(url, headers=ZH).get_json()
    assert chinese["errors"]["sort"] == 'sort 中 "title" 出现了两次。'
    assert chinese["errors"]["attr.weight"] == 'Weight必须是数字，例如 "171 g"；"(1,2)" 不是数字。'


def test_a_slug_named_twice_in_a_comparison_is_the_services_refusal(client, catalog):
    """The API leaves the repeated-entry check to the service (no English-only copy of
    it): 400 problem+json, the service's sentence, in Chinese when asked."""
    slugs = "iphone-15,pixel-8,iphone-15"
    english = client.get(f"{API}/compare?entries={slugs}")
    assert english.status_code == 400
    assert english.headers["Content-Type"].startswith("application/problem+json")
    assert english.get_json()["detail"] == "Compare each entry only once."
    assert english.get_json()["errors"] == {"entries": "Compare each entry only once."}
    chinese = client.get(f"{API}/compare?entries={slugs}", headers=ZH)
    assert chinese.status_code == 400
    assert chinese.get_json()["detail"] == "每个条目只能对比一次。"
