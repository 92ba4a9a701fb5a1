"""Simplified Chinese: the committed catalog is complete and compiled, and pages use it.

The catalog is refreshed with ``scripts/update_translations.sh``; when a test here fails
because of a new string, run the script, translate the listed msgids in
``app/translations/zh_Hans/LC_MESSAGES/messages.po`` and run the script again.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "app" / "translations"
PO = TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
#: The same extraction as scripts/update_translations.sh.
EXTRACT = ["extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "M_"]

#: A %-placeholder: %(name)s, %(n)d, %s, %.1f … or the escaped %%.
PLACEHOLDER = re.compile(
    r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def pybabel(*args: str) -> None:
    """Run a pybabel command in this process, from the project root."""
    CommandLineInterface().run(["pybabel", "--quiet", *args])


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code marks for translation today (a fresh extraction)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        pybabel(*EXTRACT, "-o", str(pot), ".")
    with pot.open("rb") as f:
        catalog = read_po(f)
    assert len(catalog) > 100, "the extraction found almost nothing: is babel.cfg right?"
    return catalog


@pytest.fixture(scope="module")
def zh():
    """The committed Simplified Chinese catalog."""
    with PO.open("rb") as f:
        return read_po(f, locale="zh_Hans")


def translated(message) -> bool:
    """Whether every form of a message has a translation."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(s and s.strip() for s in strings)


def freeze(value):
    """A message id or string as a hashable value (plural ones come as lists)."""
    return tuple(value) if isinstance(value, list | tuple) else value


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# -- the catalog ---------------------------------------------------------------------------


def test_every_extracted_message_is_translated(extracted, zh):
    """Each string marked in the code or templates has a real, non-fuzzy translation."""
    missing = []
    for message in extracted:
        if not message.id:
            continue
        ours = zh.get(message.id)
        if ours is None or ours.fuzzy or not translated(ours) \
                or isinstance(ours.id, tuple) != isinstance(message.id, tuple):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not missing, (
        f"{len(missing)} message(s) lack a Chinese translation; run "
        "scripts/update_translations.sh and translate them in " + str(PO.relative_to(ROOT))
        + ":\n" + "\n".join(f"  {m!r}" for m in missing))


def test_catalog_has_no_fuzzy_or_empty_entries(zh):
    """Nothing half-done is left in the .po (fuzzy entries are not compiled into the .mo)."""
    bad = [m.id for m in zh if m.id and (m.fuzzy or not translated(m))]
    assert not bad, bad
    assert not zh.fuzzy, "the catalog header is marked fuzzy"


def test_plural_forms_are_chinese(zh):
    """Chinese has one plural form; every plural message has exactly that one."""
    assert zh.plural_forms == "nplurals=1; plural=0;"
    plurals = [m for m in zh if isinstance(m.id, tuple)]
    assert plurals, "expected some ngettext messages"
    for message in plurals:
        assert len(message.string) == 1, message.id


def test_placeholders_match(zh):
    """A translation keeps exactly the msgid's %(name)s placeholders (and has no stray %)."""
    wrong = []
    for message in zh:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            expected = placeholders(message.id[1])
            assert placeholders(message.id[0]) == expected, message.id
            strings = message.string
        else:
            expected, strings = placeholders(message.id), (message.string,)
        for string in strings:
            if placeholders(string) != expected or string.count("%") != "".join(
                    placeholders(string)).count("%"):
                wrong.append((message.id, string))
    assert not wrong, "\n".join(f"{i!r} → {s!r}" for i, s in wrong)


def test_mo_is_compiled_from_the_po(tmp_path, zh):
    """The committed .mo (what the app reads) holds the same messages as the .po."""
    fresh = tmp_path / "messages.mo"
    pybabel("compile", "-i", str(PO), "-o", str(fresh), "-l", "zh_Hans")

    def messages(path: Path) -> dict:
        with path.open("rb") as f:
            catalog = read_mo(f)
        return {freeze(m.id): freeze(m.string) for m in catalog if m.id}

    committed, expected = messages(MO), messages(fresh)
    stale = sorted(str(k) for k in committed.keys() ^ expected.keys()) + sorted(
        str(k) for k in committed.keys() & expected.keys() if committed[k] != expected[k])
    assert not stale, "messages.mo is out of date; run scripts/update_translations.sh:\n" \
        + "\n".join(stale[:20])
    assert len(expected) == len([m for m in zh if m.id])


# -- the pages -----------------------------------------------------------------------------


def html_of(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def is_chinese(html: str) -> bool:
    """The layout of the page is in Chinese (every page has the header and footer)."""
    return ('<html lang="zh-Hans">' in html and "跳到正文" in html and "搜索条目" in html
            and "对比百科" in html and "Search entries" not in html)


def is_english(html: str) -> bool:
    return ('<html lang="en">' in html and "Skip to content" in html
            and "Search entries" in html and "搜索条目" not in html)


class LanguageLinks(HTMLParser):
    """The language switcher's links: data-lang → (attributes, text)."""

    def __init__(self):
        super().__init__()
        self.links, self._open = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "data-lang" in attrs:
            self._open = attrs["data-lang"]
            self.links[self._open] = (attrs, "")

    def handle_data(self, data):
        if self._open:
            attrs, text = self.links[self._open]
            self.links[self._open] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def language_links(html: str) -> dict:
    parser = LanguageLinks()
    parser.feed(html)
    return parser.links


def test_lang_parameter_switches_to_chinese_and_is_remembered(client):
    """?lang=zh_Hans renders Chinese and sets the cookie; later pages stay Chinese."""
    response = client.get("/?lang=zh_Hans")
    html = html_of(response)
    assert is_chinese(html)
    for text in ("跳到正文", "登录", "注册", "你想比较什么？", "对比", "pkyx · 对比百科"):
        assert text in html, text
    cookie = client.get_cookie("pkyx_lang")
    assert cookie is not None and cookie.value == "zh_Hans"
    assert "httponly" in response.headers["Set-Cookie"].lower()

    assert is_chinese(html_of(client.get("/")))  # no ?lang: the cookie decides
    assert is_chinese(html_of(client.get("/login", headers={"Accept-Language": "en-US"})))

    assert is_english(html_of(client.get("/?lang=en")))  # and back
    assert client.get_cookie("pkyx_lang").value == "en"
    assert is_english(html_of(client.get("/", headers={"Accept-Language": "zh-CN"})))


@pytest.mark.parametrize("header, chinese", [
    ("zh-CN", True),
    ("zh-CN,zh;q=0.9,en;q=0.8", True),
    ("zh", True),
    ("en-US", False),
    ("en-US,en;q=0.9,zh-CN;q=0.5", False),
    ("fr-FR", False),
])
def test_accept_language_decides_without_a_choice(client, header, chinese):
    """Without ?lang or the cookie the browser's Accept-Language picks; nothing is stored."""
    html = html_of(client.get("/", headers={"Accept-Language": header}))
    assert (is_chinese if chinese else is_english)(html)
    assert client.get_cookie("pkyx_lang") is None


def test_unknown_lang_is_ignored(client):
    """?lang=xx is no choice: English, and no cookie."""
    assert is_english(html_of(client.get("/?lang=xx")))
    assert client.get_cookie("pkyx_lang") is None


def test_language_switcher_links(client):
    """The header offers both languages, each in its own name and language, current marked."""
    html = html_of(client.get("/?lang=zh_Hans"))
    links = language_links(html)
    assert set(links) == {"en", "zh_Hans"}
    (en, en_text), (zh, zh_text) = links["en"], links["zh_Hans"]
    assert (en["href"], en["lang"], en_text.strip()) == ("/?lang=en", "en", "English")
    assert (zh["href"], zh["lang"], zh_text.strip()) == ("/?lang=zh_Hans", "zh-Hans", "简体中文")
    assert "active" in zh["class"].split() and "active" not in en["class"].split()
    assert "语言：" in html

    english = language_links(html_of(client.get(en["href"])))
    assert "active" in english["en"][0]["class"].split()


def test_python_strings_and_forms_are_translated(client):
    """Lazy strings of the forms (_l) and the error pages follow the language too."""
    client.get("/?lang=zh_Hans")
    register = html_of(client.get("/register"))
    for text in ("用户名", "邮箱", "密码", "创建账号"):
        assert text in register, text
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)


def test_plural_messages_render(seeded_app):
    """ngettext with Chinese's single form: the count goes into the one form."""
    client = seeded_app.test_client()
    html = html_of(client.get("/?lang=zh_Hans"))
    assert "48 个条目 · 4 个分类" in html
    assert re.search(r"\d+ 个条目", html)


def test_language_links_keep_the_page_and_its_query(client):
    """Switching language on a search keeps the search (path and query), only lang changes."""
    html = client.get("/search?q=pixel&sort=updated&lang=en").get_data(as_text=True)
    assert 'href="/search?q=pixel&amp;sort=updated&amp;lang=zh_Hans"' in html


# -- the domain's messages -------------------------------------------------------------------


def test_domain_message_is_translated_on_a_page(client, wiki, phones, alice):
    """A value the domain refuses is explained in Chinese on a Chinese page."""
    from html import unescape

    from app.services import AttributeInput

    wiki.create_entry("tester", title="Pixel 8", category="phones", summary="A phone.",
                      attributes=[AttributeInput("weight", "187 g")])

    def csrf(path: str) -> str:
        html = client.get(path).get_data(as_text=True)
        return re.search(r'(?:name="csrf-token" content|name="csrf_token"[^>]*value)="([^"]+)"',
                         html).group(1)

    response = client.post("/login", data={"csrf_token": csrf("/login"), "login": "alice",
                                           "password": "correct horse battery"})
    assert response.status_code == 302
    client.get("/?lang=zh_Hans")
    response = client.post("/entries/pixel-8/attributes", data={
        "csrf_token": csrf("/"), "version": 1, "key": "weight", "type": "number",
        "value": "heavy", "unit": "g", "form_id": "edit-weight"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'id="edit-weight-value-error" data-error-for="value">([^<]+)<', html)
    assert unescape(error.group(1)) == 'Weight必须是数字，例如 "171 g"；"heavy" 不是数字。'


def test_domain_messages_follow_the_request_and_stay_english_outside_one(app):
    """In a Chinese request the domain speaks Chinese; without a request, English as ever."""
    from app.domain.definitions import Definition
    from app.domain.errors import InvalidValue
    from app.domain.types import parse_value

    weight = Definition(key="weight", label="Weight", type="number", unit="g")

    def refusal(raw: str) -> str:
        with pytest.raises(InvalidValue) as caught:
            parse_value(weight, raw)
        return caught.value.message

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert refusal("3 in") == 'Weight必须是质量，例如 "171 g"；"3 in" 是长度。'
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert refusal("3 in") == 'Weight must be a mass, like "171 g"; "3 in" is a length.'
    assert refusal("3 in") == 'Weight must be a mass, like "171 g"; "3 in" is a length.'
    with app.app_context():
        assert refusal("heavy") == 'Weight must be a number, like "171 g"; "heavy" is not one.'
