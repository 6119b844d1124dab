"""A class on JupyterHub (`make test-class`): three students served the course, kept apart.

It starts the hub of `class/jupyterhub_config.py` on 127.0.0.1 with a temporary class folder,
signs three students up from a roster and logs them in through the hub's REST API (a token for a
username and password), starts their servers, and runs the first notebook in each student's own
server through the kernels API. Then it checks that each student works in their own folder, under
the memory limit, with the shared data and read-only model cache; that a student's token opens no
other student's server (the server answers 403, the hub's API 404); that a wrong password is refused
(403); that a student's edits survive a restart; and that stopping the hub leaves no process behind.
It prints the time to serve the class.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import pytest
import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[1]
STUDENTS = ["ada", "grace", "alan"]
PASSWORDS = {name: f"{name}-digits-{uuid.uuid4().hex[:8]}" for name in STUDENTS}
NOTEBOOK = "01_loading_mnist.ipynb"
MEM_LIMIT = 6 * 2**30  # CLASS_MEM_LIMIT=6G, JupyterHub's G being 1024**3 bytes
INSTRUCTOR_MODEL = '{"trained": "by the instructor"}'  # a cache entry, as `make run` leaves in build/cache
TIMEOUT = 30  # seconds for one HTTP request; whole steps have their own deadlines below


def free_ports() -> int:
    """A port P with P, P+1 and P+2 free on 127.0.0.1 (the proxy, the hub's API, the proxy's API)."""
    for _ in range(50):
        with closing(socket.socket()) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port < 65000 and all(_port_free(port + i) for i in range(3)):
            return port
    raise RuntimeError("no three consecutive free ports on 127.0.0.1")


def _port_free(port: int) -> bool:
    with closing(socket.socket()) as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def class_processes(marker: str) -> set[int]:
    """The processes whose environment names ``marker`` (the class folder): hub, proxy, servers, kernels."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                pass  # gone, or not ours
    return found


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


class Hub:
    def __init__(self, url: str, folder: Path):
        self.url, self.folder = url, folder

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {token}"} if token else {}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=TIMEOUT, **kwargs)

    def server(self, method: str, user: str, path: str, token: str, **kwargs) -> requests.Response:
        """A request to ``user``'s server through the proxy, with ``token``."""
        return requests.request(method, f"{self.url}/user/{user}/api{path}", timeout=TIMEOUT,
                                headers={"Authorization": f"token {token}"}, **kwargs)

    def sign_up(self, name: str, password: str) -> None:
        with requests.Session() as browser:
            browser.get(f"{self.url}/hub/signup", timeout=TIMEOUT).raise_for_status()
            form = {"username": name, "signup_password": password, "signup_password_confirmation": password,
                    "_xsrf": browser.cookies["_xsrf"]}
            browser.post(f"{self.url}/hub/signup", data=form, timeout=TIMEOUT).raise_for_status()

    def log_in(self, name: str, password: str) -> requests.Response:
        """POST /hub/api/users/<name>/tokens with the username and password: the REST API's login."""
        return self.api("POST", f"/users/{name}/tokens", json={"auth": {"username": name, "password": password}})

    def start(self, name: str, token: str) -> None:
        response = self.api("POST", f"/users/{name}/server", token)
        assert response.status_code in (201, 202), (name, response.status_code, response.text)

    def ready(self, name: str, token: str) -> bool:
        server = self.api("GET", f"/users/{name}", token).json()["servers"].get("")
        return bool(server and server["ready"])

    def stop(self, name: str, token: str) -> None:
        response = self.api("DELETE", f"/users/{name}/server", token)
        assert response.status_code in (202, 204), (name, response.status_code, response.text)
        wait_for(lambda: not self.api("GET", f"/users/{name}", token).json()["servers"], 60, f"{name}'s server to stop")


@pytest.fixture
def hub(tmp_path):
    """The class's hub on 127.0.0.1, in ``tmp_path``; stopped afterwards, leaving no process behind."""
    folder = tmp_path / f"class-{uuid.uuid4().hex[:8]}"
    instructor_cache = tmp_path / "instructor-cache"
    instructor_cache.mkdir()
    (instructor_cache / "article.json").write_text(INSTRUCTOR_MODEL)
    roster = tmp_path / "roster.txt"
    roster.write_text("\n".join(STUDENTS) + "\n")
    port = free_ports()
    env = {**os.environ, "CLASS_DIR": str(folder), "CLASS_PORT": str(port), "CLASS_ROSTER": str(roster),
           "CLASS_MEM_LIMIT": "6G", "COURSE_CACHE_DIR": str(instructor_cache)}
    if os.geteuid() == 0:
        env["CLASS_ALLOW_ROOT"] = "1"  # CI runs as root
    log = (tmp_path / "hub.log").open("w")
    hub_command = [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(ROOT / "class" / "jupyterhub_config.py")]
    process = subprocess.Popen(hub_command,
                               cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: process.poll() is not None or _answers(f"{url}/hub/api/"), 60, "the hub to answer")
        assert process.poll() is None, (tmp_path / "hub.log").read_text()
        yield Hub(url, folder)
    finally:
        process.send_signal(signal.SIGTERM)  # the hub stops every student's server and the proxy, then exits
        try:
            process.wait(timeout=120)
        finally:
            left = class_processes(str(folder))
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            log.close()
        assert process.returncode is not None and not left, f"processes left behind: {sorted(left)}"


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


async def run_notebook(hub: Hub, user: str, token: str, cells: list[str]) -> list[dict]:
    """Run ``cells`` one after another in a new kernel of ``user``'s server; each cell's reply and outputs."""
    kernel = hub.server("POST", user, "/kernels", token, json={"name": "python3"}).json()["id"]
    url = f"{hub.url.replace('http', 'ws', 1)}/user/{user}/api/kernels/{kernel}/channels"
    channel = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
    results = []
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            await channel.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": kernel, "username": user,
                           "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True},
            }))
            result = {"outputs": [], "reply": None, "idle": False}
            while result["reply"] is None or not result["idle"]:
                message = json.loads(await asyncio.wait_for(channel.read_message(), 300))
                if message["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = message["header"]["msg_type"]
                if kind == "execute_reply":
                    result["reply"] = message["content"]
                elif kind == "status" and message["content"]["execution_state"] == "idle":
                    result["idle"] = True
                elif kind in ("stream", "execute_result", "display_data", "error"):
                    result["outputs"].append(message["content"])
            results.append(result)
            if result["reply"]["status"] != "ok":
                break
    finally:
        channel.close()
        hub.server("DELETE", user, f"/kernels/{kernel}", token)
    return results


PROBE = f"""
import json, os, resource, tempfile
try:
    bytearray({MEM_LIMIT})
    allocation = "granted"
except MemoryError:
    allocation = "MemoryError"
cache = os.environ["COURSE_CACHE_DIR"]
entry = os.path.join(cache, "article.json")
shared = os.path.realpath(entry)
read = open(entry).read()
with tempfile.NamedTemporaryFile("w", dir=cache, delete=False) as partial:  # how the course saves a model
    partial.write("trained by " + os.environ["USER"])
os.replace(partial.name, entry)
print(json.dumps({{"cwd": os.getcwd(), "home": os.environ["HOME"], "limit": resource.getrlimit(resource.RLIMIT_AS)[0],
                  "allocation": allocation, "mnist": os.environ.get("MNIST_DATA_DIR"), "cache": cache,
                  "budget": os.environ["COURSE_BUDGET"], "shared": shared,
                  "shared_mode": oct(os.stat(os.path.dirname(shared)).st_mode & 0o777), "read": read,
                  "saved": open(entry).read(), "shared_after": open(shared).read()}}))
"""


def test_a_class_of_three(hub, capsys):
    started = time.monotonic()
    for name in STUDENTS:
        hub.sign_up(name, PASSWORDS[name])
    assert hub.log_in("ada", "not-ada's-password").status_code == 403
    tokens = {}
    for name in STUDENTS:
        response = hub.log_in(name, PASSWORDS[name])
        assert response.status_code == 201, (name, response.status_code, response.text)
        tokens[name] = response.json()["token"]
    ada, grace = tokens["ada"], tokens["grace"]

    # Ada's token can neither read Grace's record nor start Grace's server. The hub answers 404, as for a
    # name nobody has, so a token does not even tell whether another student exists.
    for method, path in [("GET", "/users/{}"), ("POST", "/users/{}/server")]:
        assert hub.api(method, path.format("grace"), ada).status_code == 404
        assert hub.api(method, path.format("nobody-by-that-name"), ada).status_code == 404
    assert hub.api("GET", "/users/grace", grace).json()["servers"] == {}

    for name in STUDENTS:
        hub.start(name, tokens[name])
    for name in STUDENTS:
        wait_for(lambda name=name: hub.ready(name, tokens[name]), 120, f"{name}'s server")
    # What the last check (in the fixture) looks for is there now: the hub, the proxy, three servers.
    assert len(class_processes(str(hub.folder))) >= 2 + len(STUDENTS)
    # Grace's server, reached through the proxy, refuses Ada's token: 403.
    for method, path in [("GET", "/contents"), ("GET", "/kernels"), ("POST", "/kernels")]:
        assert hub.server(method, "grace", path, ada).status_code == 403

    # Each student runs the first notebook, from their own copy, in their own server, at the same time.
    sources = {}
    for name in STUDENTS:
        notebook = hub.server("GET", name, f"/contents/{NOTEBOOK}", tokens[name]).json()["content"]
        sources[name] = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]

    async def everyone():
        return await asyncio.gather(*(run_notebook(hub, name, tokens[name], sources[name] + [PROBE])
                                      for name in STUDENTS))

    runs = dict(zip(STUDENTS, asyncio.run(everyone()), strict=True))
    served = time.monotonic() - started
    for name, results in runs.items():
        failed = [(r["reply"], r["outputs"]) for r in results if r["reply"]["status"] != "ok"]
        assert not failed, (name, failed)
        assert len(results) == len(sources[name]) + 1, name
        probe = json.loads(results[-1]["outputs"][-1]["text"])
        home = str(hub.folder / "students" / name)
        assert probe["cwd"] == probe["home"] == home
        assert probe["limit"] == MEM_LIMIT and probe["allocation"] == "MemoryError"
        mnist = os.environ.get("MNIST_DATA_DIR")
        assert probe["mnist"] == (str(Path(mnist).resolve()) if mnist else None)
        assert probe["budget"] == os.environ.get("COURSE_BUDGET", "quick")
        # The student's cache reads the instructor's model from the read-only shared copy; a model the
        # student saves replaces their link, not the shared file.
        assert probe["cache"] == f"{home}/.course-cache"
        assert probe["shared"] == str(hub.folder / "cache" / "article.json") and probe["shared_mode"] == "0o555"
        assert probe["read"] == probe["shared_after"] == INSTRUCTOR_MODEL
        assert probe["saved"] == f"trained by {name}"

    # Each student sees only their own files.
    put = hub.server("PUT", "ada", "/contents/ada-notes.txt", ada, json={"type": "file", "format": "text",
                                                                        "content": "mine"})
    assert put.status_code == 201, put.text
    listings = {name: {item["name"] for item in hub.server("GET", name, "/contents", tokens[name]).json()["content"]}
                for name in STUDENTS}
    notebooks = {path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert listings["ada"] == notebooks | {"ada-notes.txt"}
    assert listings["grace"] == listings["alan"] == notebooks

    # Ada's edit of a notebook survives a restart of her server (the copy is made only when missing),
    # and so does the model she saved.
    notebook = hub.server("GET", "ada", f"/contents/{NOTEBOOK}", ada).json()["content"]
    notebook["cells"][0]["source"] = "# Ada was here\n"
    saved = hub.server("PUT", "ada", f"/contents/{NOTEBOOK}", ada, json={"type": "notebook", "content": notebook})
    assert saved.status_code == 200, saved.text
    hub.stop("ada", ada)
    hub.start("ada", ada)
    wait_for(lambda: hub.ready("ada", ada), 120, "ada's server after a restart")
    reopened = hub.server("GET", "ada", f"/contents/{NOTEBOOK}", ada).json()["content"]
    assert reopened["cells"][0]["source"] == "# Ada was here\n"
    kept = hub.folder / "students" / "ada" / ".course-cache" / "article.json"
    assert not kept.is_symlink() and kept.read_text() == "trained by ada"  # her saved model too

    with capsys.disabled():
        print(f"\nclass: {len(STUDENTS)} students signed up, logged in, servers started and {NOTEBOOK} "
              f"run in each in {served:.0f} s")
