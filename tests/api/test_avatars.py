"""/api/v1/users/<id>/avatar (SPEC §5): re-encoded uploads, caching headers, refusals that
leave nothing behind in GridFS."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.test_images import many_scan_jpeg

from .conftest import API

MIB = 1024 * 1024
SECRET = "secret-metadata-marker"


def _image(fmt: str, size=(64, 48), mode: str = "RGB") -> bytes:
    """An image made with Pillow, carrying metadata (EXIF or a text chunk) to be stripped."""
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    for x in range(0, size[0], 4):
        image.putpixel((x, x % size[1]), (0, 0, 255) if mode == "RGB" else (0, 0, 255, 255))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = SECRET  # Make
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", SECRET)
        image.save(out, "PNG", pnginfo=info)
    elif fmt == "GIF":
        image.convert("P").save(out, "GIF", comment=SECRET.encode())
    else:
        image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _huge_png(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side×side pixels: small on disk, 400 megapixels decoded."""
    compressor = zlib.compressobj(9)
    row = bytes(1 + side // 8)
    idat = b"".join(compressor.compress(row * 1000) for _ in range(side // 1000))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b"<script>alert(1)</script></svg>")


def _url(account) -> str:
    return f"{API}/users/{account.username}/avatar"


def _upload(client, account, data: bytes, *, how: str = "multipart", name: str = "me.png",
            content_type: str = "image/png", headers: dict | None = None):
    headers = headers if headers is not None else account.bearer
    if how == "multipart":
        # Encoded in memory: the test client would spool a big body to a temporary file
        # that it never closes when the app refuses the request unread (413).
        upload = FileStorage(io.BytesIO(data), name, content_type=content_type)
        boundary, body = encode_multipart({"file": upload})
        return client.put(_url(account), headers=headers, data=body,
                          content_type=f"multipart/form-data; boundary={boundary}")
    return client.put(_url(account), headers=headers, data=data, content_type=content_type)


def _gridfs(repos) -> tuple[set, set, int]:
    """Avatar file ids, ids the chunks point at, and the number of chunks."""
    chunks = repos.avatars.chunks
    return (repos.avatars.ids(), set(chunks.distinct("files_id")),
            chunks.count_documents({}))


def _assert_no_orphans(repos) -> None:
    files, chunk_owners, _ = _gridfs(repos)
    assert chunk_owners <= files, "chunks without a file"
    assert repos.avatars.orphan_chunk_ids() == set()
    used = repos.users.file_ids()
    assert files == used, f"files nobody points at: {files - used}"


@pytest.mark.parametrize("how", ["multipart", "raw"])
@pytest.mark.parametrize(("fmt", "mode", "stored_type"), [
    ("PNG", "RGB", "image/webp"),
    ("PNG", "RGBA", "image/png"),
    ("JPEG", "RGB", "image/webp"),
    ("GIF", "RGB", "image/webp"),
    ("WEBP", "RGB", "image/webp"),
])
def test_valid_images_are_stored_re_encoded(client, repos, user, how, fmt, mode, stored_type):
    """PNG/JPEG/GIF/WebP by multipart or raw body: 200; GET gives a re-encoded copy, no EXIF."""
    upload = _image(fmt, mode=mode)
    response = _upload(client, user, upload, how=how, content_type=f"image/{fmt.lower()}")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["avatar"] == _url(user)
    got = client.get(_url(user))
    assert got.status_code == 200
    assert got.mimetype == stored_type
    assert got.data != upload and SECRET.encode() not in got.data
    image = Image.open(io.BytesIO(got.data))
    assert Image.MIME[image.format] == stored_type
    assert not image.getexif() and "exif" not in image.info
    assert not any(SECRET in str(value) for value in image.info.values())
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age" in got.headers["Cache-Control"]
    etag = got.headers["ETag"]
    assert etag.startswith('"')
    cached = client.get(_url(user), headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.data == b""
    _assert_no_orphans(repos)


def test_big_images_are_scaled_down(client, user):
    """A 600×400 photo is stored at most 256 pixels a side, keeping its shape."""
    assert _upload(client, user, _image("JPEG", size=(600, 400))).status_code == 200
    image = Image.open(io.BytesIO(client.get(_url(user)).data))
    assert image.size == (256, 171)


def test_the_file_name_and_declared_type_do_not_matter(client, user):
    """A JPEG named ``.gif`` and sent as text/plain in the multipart is judged by its bytes."""
    response = _upload(client, user, _image("JPEG"), name="cat.gif", content_type="text/plain")
    assert response.status_code == 200


@pytest.fixture
def with_avatar(client, repos, user):
    """``user`` with an avatar already stored; returns its file id and bytes."""
    assert _upload(client, user, _image("PNG")).status_code == 200
    return repos.users.get(user.username)["avatar"], client.get(_url(user)).data


def _huge_body() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(2 * MIB + 1 - 8)


@pytest.mark.parametrize("how", ["multipart", "raw"])
@pytest.mark.parametrize(("name", "data", "status"), [
    ("page.png", HTML, 400),
    ("drawing.png", SVG, 400),
    ("cut.png", _image("PNG", size=(200, 200))[:300], 400),
    ("bomb.png", _huge_png(), 400),
    ("scans.jpg", many_scan_jpeg(), 400),
    ("empty.png", b"", 400),
    ("huge.png", _huge_body(), 413),
])
def test_refused_uploads_store_nothing(client, repos, user, with_avatar, how, name, data,
                                       status):
    """HTML/SVG named .png, cut or 20000² PNG: 400; 2 MiB + 1: 413; avatar and GridFS unchanged."""
    old_id, old_bytes = with_avatar
    before = _gridfs(repos)
    response = _upload(client, user, data, how=how, name=name)
    assert response.status_code == status, response.get_json()
    assert repos.users.get(user.username)["avatar"] == old_id
    assert client.get(_url(user)).data == old_bytes
    assert _gridfs(repos) == before
    _assert_no_orphans(repos)


def test_the_upload_limit_is_2_mib(app):
    """The limit refused above is the configured 2 MiB (SPEC §5, nginx agrees)."""
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * MIB


@pytest.mark.parametrize(("content_type", "status"), [
    ("text/plain", 415), ("application/json", 415), ("text/html", 415)])
def test_raw_bodies_must_claim_an_image(client, repos, user, content_type, status):
    """A raw body sent as text or JSON is a 415, and nothing is stored."""
    response = _upload(client, user, _image("PNG"), how="raw", content_type=content_type)
    assert response.status_code == status
    assert repos.avatars.ids() == set()


def test_multipart_without_a_file_field_is_400(client, repos, user):
    """A multipart body without ``file`` is a 400 naming it."""
    response = client.put(_url(user), headers=user.bearer, content_type="multipart/form-data",
                          data={"image": (io.BytesIO(_image("PNG")), "a.png")})
    assert response.status_code == 400 and "file" in response.get_json()["errors"]
    assert repos.avatars.ids() == set()


def test_replacing_deletes_the_old_file(client, repos, user, with_avatar):
    """A new avatar replaces the old one, whose file and chunks are deleted."""
    old_id, old_bytes = with_avatar
    old_etag = client.get(_url(user)).headers["ETag"]
    assert _upload(client, user, _image("JPEG", size=(30, 30))).status_code == 200
    new_id = repos.users.get(user.username)["avatar"]
    assert new_id != old_id and not repos.avatars.exists(old_id)
    files, chunk_owners, _ = _gridfs(repos)
    assert files == {new_id} and chunk_owners == {new_id}
    got = client.get(_url(user), headers={"If-None-Match": old_etag})
    assert got.status_code == 200 and got.data != old_bytes


def test_delete_removes_the_avatar(client, repos, user, with_avatar):
    """DELETE: 204, then 404, and GridFS is empty."""
    response = client.delete(_url(user), headers=user.bearer)
    assert response.status_code == 204
    assert client.get(_url(user)).status_code == 404
    assert client.get(f"{API}/users/{user.username}").get_json()["avatar"] is None
    assert _gridfs(repos) == (set(), set(), 0)


def test_someone_else_cannot_change_my_avatar(client, repos, user, other, with_avatar):
    """Another user's PUT and DELETE of my avatar are 403; anonymous ones 401; nothing changes."""
    old_id, old_bytes = with_avatar
    before = _gridfs(repos)
    assert _upload(client, user, _image("JPEG"), headers=other.bearer).status_code == 403
    assert client.delete(_url(user), headers=other.bearer).status_code == 403
    assert _upload(client, user, _image("JPEG"), headers={}).status_code == 401
    assert client.delete(_url(user)).status_code == 401
    assert repos.users.get(user.username)["avatar"] == old_id
    assert client.get(_url(user)).data == old_bytes and _gridfs(repos) == before


def test_an_admin_may_remove_an_avatar(client, repos, user, admin, with_avatar):
    """Admins moderate: an admin's DELETE of a user's avatar is 204."""
    assert client.delete(_url(user), headers=admin.bearer).status_code == 204
    assert repos.avatars.ids() == set()


def test_deleting_the_account_deletes_the_avatar(client, repos, user, with_avatar):
    """Deleting a user removes their avatar file too: no orphan left."""
    assert client.delete(f"{API}/users/{user.username}", headers=user.bearer).status_code == 204
    assert _gridfs(repos) == (set(), set(), 0)


def test_no_avatar_is_404(client, user):
    """A user without an avatar (or no such user): 404 problem."""
    assert client.get(_url(user)).status_code == 404
    assert client.get(f"{API}/users/nobody/avatar").status_code == 404


def test_a_failed_save_leaves_the_old_avatar_and_no_orphan(app, client, repos, user,
                                                           with_avatar, monkeypatch):
    """If pointing the user at the new file fails, the new file is removed and the old kept."""
    old_id, old_bytes = with_avatar

    def broken(*args, **kwargs):
        raise RuntimeError("store failed half way")

    monkeypatch.setattr(repos.users, "set_avatar", broken)
    response = _upload(client, user, _image("JPEG"))
    assert response.status_code == 500
    assert "half way" not in response.get_json()["detail"]
    assert repos.avatars.ids() == {old_id}
    assert client.get(_url(user)).data == old_bytes
    _assert_no_orphans(repos)
