"""A Chinese page of every template shows no English word outside an allow-list.

A wiki whose data pkyx owns has Chinese forms (categories, attribute labels and
sections) and whose entries have Chinese text is rendered in Simplified Chinese through
its routes — as a reader, an editor and an admin, refused forms and questions included —
and every word of Latin letters a reader sees (text, button values, placeholders, ARIA
labels, alternative text) must be a name, brand, unit or technical token from
``ALLOWED``. Every page template must have been rendered at least once.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import template_rendered

from app.services import AttributeInput

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "app" / "templates"
#: Templates that only ever render inside others (partials, macros, layouts).
PARTS = {"base.html", "main/_layout.html"}

#: Words a Chinese page may show in Latin letters: names, brands, units, formats.
ALLOWED = {
    # the site, its store and its API
    "pkyx", "api", "openapi", "json", "mongomock", "mongodb", "csv", "javascript",
    # names and brands in the test data and the compare box's examples
    "iphone", "pixel", "google", "apple", "vs", "pk", "alice", "bob", "python", "go", "rust",
    # sorting "A–Z", the key hint "a-z, 0-9 and _", °C and °F
    "a", "z", "c", "f",
    # units and currencies the pickers and values show
    "g", "kg", "mg", "lb", "oz", "mm", "cm", "m", "km", "nm", "µm", "in", "ft", "ml", "l",
    "μm", "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "bit", "mbps", "gbps", "hz",
    "khz", "mhz", "ghz", "w", "mw", "kw", "wh", "kwh", "mah", "ah", "v", "mv", "s", "ms",
    "min", "h", "d", "k", "nit", "ppi", "mp", "fps", "db", "usd", "eur", "gbp", "cny", "jpy",
    # formats and technical tokens (image types, date patterns, addresses)
    "png", "jpeg", "gif", "webp", "yyyy", "dd", "http", "https", "url", "id", "utc",
    # the test accounts' e-mail addresses (the admin area shows them)
    "example", "org",
    "ram", "tops", "pcie", "usb", "nfc", "wi", "fi", "cpu", "npu", "tdp", "os",
}
WORD = re.compile(r"[A-Za-zµ]+")
#: Elements whose text is not prose for a reader: code, scripts, the other language's link.
SKIPPED = {"script", "style", "code", "textarea", "template"}
READ_ATTRIBUTES = ("placeholder", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class VisibleText(HTMLParser):
    """The text a reader meets on a page, without code, scripts and English-marked parts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # translate="no": an e-mail address, a name (HTML's own mark for what stays as it is)
        skip = tag in SKIPPED or attrs.get("lang") == "en" or attrs.get("translate") == "no"
        if not self._skipping() and not skip:
            self.parts += [attrs[name] for name in READ_ATTRIBUTES if attrs.get(name)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get(
                    "value"):
                self.parts.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        while self.stack:
            opened, _skip = self.stack.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    """The Latin-letter words of a page's visible text that are not allowed."""
    parser = VisibleText()
    parser.feed(html)
    words = {word for part in parser.parts for word in WORD.findall(part)}
    return {word for word in words if word.casefold() not in ALLOWED}


def page_templates() -> set[str]:
    """Every template that renders as a page of its own."""
    names = {str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")}
    return {name for name in names if name not in PARTS and not name.startswith(
        ("components/", "macros/", "mail/")) and not Path(name).name.startswith("_")}


@pytest.fixture
def chinese_wiki(app, repos, wiki, accounts):
    """A wiki with Chinese forms of everything pkyx owns, and Chinese entries."""
    from app.domain.definitions import validate_definition

    for key, label, zh, kind, unit, group, group_zh in (
        ("weight", "Weight", "重量", "number", "g", "Body", "机身"),
        ("screen", "Screen size", "屏幕尺寸", "number", "in", "Display", "屏幕"),
        ("five_g", "5G", "5G", "boolean", None, "Connectivity", "连接"),
        ("colors", "Colours", "颜色", "list", None, "Body", "机身"),
        ("chip", "Chip", "芯片", "text", None, "Performance", "性能"),
        ("stars", "Rating", "评分", "rating", None, "Overview", "概览"),
        ("image", "Picture", "图片", "image", None, "Overview", "概览"),
    ):
        repos.definitions.insert(validate_definition(
            {"key": key, "label": label, "label_zh": zh, "type": kind, "unit": unit,
             "group": group, "group_zh": group_zh, "description": f"About {label}.",
             "description_zh": f"关于{zh}。"}), "pkyx")
    repos.categories.upsert("phones", "Phones", "Smartphones.", name_zh="手机",
                            description_zh="各家的智能手机。",
                            attributes=[{"key": "weight"}, {"key": "screen"},
                                        {"key": "chip"}])
    repos.categories.upsert("empty", "Empty", "Nothing yet.", name_zh="空分类",
                            description_zh="还没有条目。")
    admin = accounts.create_admin("alice", "alice@example.org", "correct horse battery")
    accounts.register("bob", "bob@example.org", "correct horse battery")
    pixel = wiki.create_entry("alice", title="Google Pixel 8", category="phones",
                              summary="谷歌的小屏手机。", comment="新建条目",
                              attributes=[AttributeInput("weight", "187 g"),
                                          AttributeInput("five_g", "yes"),
                                          AttributeInput("colors", "黑色, 白色"),
                                          AttributeInput("stars", "4")])
    wiki.set_attribute("bob", "google-pixel-8", pixel["version"],
                       AttributeInput("weight", "190 g"), comment="称过了")
    wiki.create_entry("bob", title="iPhone 15", category="phones", summary="苹果手机。",
                      attributes=[AttributeInput("weight", "171 g"),
                                  AttributeInput("chip", "苹果芯片")])
    gone = wiki.create_entry("bob", title="Pixel 7", category="phones", summary="旧款。")
    wiki.revert("alice", "google-pixel-8", 2, 1)
    wiki.delete_entry("alice", gone["slug"], gone["version"], comment="重复了")
    admin_service = app.extensions["pkyx.admin"]  # the admin area's records and states
    admin_service.protect(admin, "iphone-15", "编辑战")
    admin_service.set_role(admin, "bob", "admin", "信得过")
    admin_service.set_role(admin, "bob", "user", "试用结束")
    admin_service.block(admin, "bob", "发垃圾链接")
    admin_service.unblock(admin, "bob", "已道歉")
    return admin


def csrf_of(html: str) -> str:
    return re.search(r'(?:name="csrf-token" content|name="csrf_token"[^>]*value)="([^"]+)"',
                     html).group(1)


def test_a_chinese_page_of_every_template_shows_no_english(app, client, chinese_wiki):
    """Every page template, rendered in Chinese as readers, editors and admins meet it."""
    rendered: set[str] = set()

    def note(sender, template, context, **extra):
        rendered.add(template.name)

    problems: dict[str, set[str]] = {}

    def check(response, what: str) -> str:
        html = response.get_data(as_text=True)
        assert '<html lang="zh-Hans">' in html, what
        found = english_words(html)
        if found:
            problems[what] = found
        return html

    client.set_cookie("pkyx_lang", "zh_Hans")
    template_rendered.connect(note, app)
    try:
        reader = ["/", "/explore", "/categories", "/categories/phones",
                  "/categories/phones?view=cards", "/categories/empty",
                  "/categories/phones?attr.weight=lt.180g", "/search", "/search?q=谷歌",
                  "/search?q=没有这个", "/recent", "/recent?new=1&category=phones",
                  "/entries/google-pixel-8", "/entries/google-pixel-8/history",
                  "/entries/google-pixel-8/diff?from=1&to=3", "/compare",
                  "/compare?q=Pixel+8+vs+没有这个", "/compare/google-pixel-8-vs-iphone-15",
                  "/users/bob", "/login", "/register", "/api/docs", "/no/such/page",
                  "/entries/pixel-7", "/reset", "/confirm/not-a-token", "/attributes"]
        for path in reader:
            check(client.get(path), f"reader {path}")
        outbox = app.extensions["pkyx.outbox"]
        outbox.clear()
        token = csrf_of(client.get("/reset").get_data(as_text=True))
        check(client.post("/reset", data={"csrf_token": token, "email": "bob@example.org"}),
              "reader reset asked")
        link = re.search(r"http://localhost(/reset/\S+)",
                         outbox[0].get_body(("plain",)).get_content()).group(1)
        check(client.get(client.get(link).headers["Location"]), "reader reset form")
        check(client.get("/reset/password"), "reader reset form again")
        token = csrf_of(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"csrf_token": token, "login": "alice",
                                               "password": "correct horse battery"})
        assert response.status_code == 302
        editor = ["/", "/entries/new", "/entries/new?title=Google+Pixel+8",
                  "/entries/google-pixel-8", "/entries/google-pixel-8/edit",
                  "/entries/google-pixel-8/delete", "/categories/new",
                  "/categories/phones/edit", "/categories/empty/delete", "/settings",
                  "/entries/pixel-7", "/recent?hide_mine=1", "/categories/phones",
                  "/admin/", "/admin/users", "/admin/users?q=b", "/admin/users/bob",
                  "/admin/users/alice", "/admin/users/bob/rollback",
                  "/admin/entries?q=google", "/admin/categories", "/admin/audit",
                  "/attributes", "/attributes/weight/edit"]
        for path in editor:
            check(client.get(path), f"admin {path}")
        token = csrf_of(client.get("/").get_data(as_text=True))
        version = chinese_wiki and client.application.extensions["pkyx.repos"].entries.get(
            "google-pixel-8")["version"]
        posts = {
            "replace question": ("/entries/google-pixel-8/attributes", {
                "version": version, "label": "重量", "type": "number", "value": "0.2",
                "unit": "kg", "form_id": "add-number"}),
            "refused value": ("/entries/google-pixel-8/attributes", {
                "version": version, "key": "weight", "type": "number", "value": "重",
                "unit": "g", "form_id": "edit-weight"}),
            "delete confirmation": ("/entries/google-pixel-8/attributes/colors/delete",
                                    {"version": version}),
            "near duplicate": ("/entries/new", {"title": "google pixel 8!",
                                                "category": "phones"}),
            "refused category": ("/categories/new", {"name": "", "attributes": "不存在"}),
            "refused block": ("/admin/users/bob/block", {"reason": ""}),
            "rollback preview": ("/admin/users/bob/rollback", {
                "since": "2020-01-01T00:00", "preview": "1"}),
        }
        for what, (path, data) in posts.items():
            check(client.post(path, data={"csrf_token": token, **data}), f"admin {what}")
        check(client.get("/confirm"), "admin confirmed address")
        # An account whose address waits for its link, where editing needs it confirmed.
        app.config["REQUIRE_CONFIRMED"] = True
        repos = app.extensions["pkyx.repos"]
        repos.users.col.update_one({"username": "alice"}, {"$set": {
            "email_confirmed": False, "pending_email": "alice@example.net"}})
        for path in ("/", "/confirm", "/settings"):
            check(client.get(path), f"unconfirmed {path}")
        check(client.post("/entries/new", data={"csrf_token": token, "title": "新条目",
                                                "category": "phones"}), "unconfirmed edit")
    finally:
        template_rendered.disconnect(note, app)
    assert not problems, "English on Chinese pages:\n" + "\n".join(
        f"  {what}: {sorted(words)}" for what, words in problems.items())
    missing = page_templates() - rendered
    assert not missing, f"templates never rendered by this test: {sorted(missing)}"


def test_the_checker_finds_english_and_ignores_code():
    """The checker itself: prose and placeholders count; code, scripts and lang=en don't."""
    html = ('<p>重量 Weight</p><input placeholder="Search here"><code>screen_size</code>'
            '<script>var x = "hidden";</script><a lang="en">English</a><p>187 g · pkyx</p>'
            '<img alt="Picture"><input type="submit" value="Send">')
    assert english_words(html) == {"Weight", "Search", "here", "Picture", "Send"}


URL_OR_ADDRESS = re.compile(r"https?://\S+|[\w.+-]+@[\w.-]+")


def test_mail_in_chinese_shows_no_english(app, accounts):
    """Every mail template, written for a Chinese reader: subject, text and HTML have no
    English word outside the allow-list (links and addresses aside)."""
    from app.mail import SUBJECTS

    outbox = app.extensions["pkyx.outbox"]
    with app.test_request_context("/"):
        bob = accounts.register("bob", "bob@example.org", "correct horse battery",
                                locale="zh_Hans")
        mail = app.extensions["pkyx.account_mail"]
        accounts.update_profile(bob["_id"], {"email": "bob@example.net"})
        mail.request_reset("bob@example.org", "zh_Hans", allowed=lambda key: True)
        mail.send_test("ops@example.org", "zh_Hans")
        change = re.search(r"/confirm-email/(\S+)",
                           outbox[1].get_body(("plain",)).get_content()).group(1)
        mail.confirm("change", change)  # the old address hears of it
        accounts.change_password(bob["_id"], "correct horse battery", "a new horse battery")
    assert [m["Subject"] for m in outbox] == [
        "确认你在 pkyx 的电子邮件地址", "确认你在 pkyx 的新电子邮件地址", "重设你的 pkyx 密码",
        "来自 pkyx 的测试邮件", "你的 pkyx 账户的电子邮件地址已更改", "你的 pkyx 账户的密码已更改"]
    assert len(outbox) == len(SUBJECTS)
    problems = {}
    for message in outbox:
        html = message.get_body(("html",)).get_content()
        assert '<html lang="zh-Hans">' in html
        text = message.get_body(("plain",)).get_content()
        for part, content in (("html", html), ("text", f"<p>{text}</p>")):
            found = english_words(URL_OR_ADDRESS.sub(" ", content)) | english_words(
                f"<p>{message['Subject']}</p>")
            if found:
                problems[f"{message['Subject']} ({part})"] = found
    assert not problems, problems
