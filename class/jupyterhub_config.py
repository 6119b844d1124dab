"""JupyterHub for a class taking the course on this machine: `make class` starts it with this file.

- Students sign up at /hub/signup with their own password (NativeAuthenticator, passwords stored as
  bcrypt hashes in the hub's database). Names listed in the roster file ($CLASS_ROSTER, one a line)
  are authorized at sign-up, and only they (and the instructor) may log in; without a roster the
  instructor authorizes each sign-up at /hub/authorize. The instructor ($CLASS_ADMIN, "instructor"
  by default) signs up first, before the address is given out.
- Each student's server runs the course's own environment (the Python running this hub, .venv),
  in the student's folder $CLASS_DIR/students/<name>, which is also their HOME. The course's
  notebooks are copied in at each start when missing, so a student's edits survive a restart.
- MNIST ($MNIST_DATA_DIR, when set) and the trained models are shared read-only. At start the hub
  copies the entries of the instructor's cache ($COURSE_CACHE_DIR, else build/cache, filled by
  `COURSE_BUDGET=quick make run`) into $CLASS_DIR/cache and makes that copy read-only. Each student's
  COURSE_CACHE_DIR is their own ~/.course-cache, where each server start links the shared entries
  the student lacks: a model is read from the shared copy, and a model the student trains and saves
  (written aside, then renamed over the link) stays theirs. Students run at the hub's COURSE_BUDGET,
  else quick.
- Memory: every process of a student's server (the server, each kernel) gets an address-space limit
  (RLIMIT_AS) of $CLASS_MEM_LIMIT; an allocation past it fails with MemoryError in that process.

Every server runs as the account that started the hub: the hub keeps students out of each other's
servers (tokens, 403), but code a student runs can reach the files and processes of that account.
For students who must be protected from one another, use The Littlest JupyterHub (a Unix account per
student) or Zero to JupyterHub (a container per student): see "Teaching a class" in README.md.
"""

import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.traitlets import ByteSpecification

from course_utils import ENVIRONMENT
from course_utils.budget import BUDGET_VARIABLE, DEFAULT_BUDGET

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
CLASS_DIR = Path(os.environ.get("CLASS_DIR") or PROJECT / "build" / "class").resolve()
STUDENTS = CLASS_DIR / "students"
SHARED_CACHE = CLASS_DIR / "cache"
INSTRUCTOR_CACHE = Path(os.environ.get("COURSE_CACHE_DIR") or PROJECT / "build" / "cache")
PORT = int(os.environ.get("CLASS_PORT", "8000"))
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"

if os.geteuid() == 0 and os.environ.get("CLASS_ALLOW_ROOT") != "1":
    sys.exit("make class: every student's server would run as root, and root ignores the read-only cache. "
             "Start the hub as an ordinary user (CLASS_ALLOW_ROOT=1 is for throwaway containers such as CI).")
if not PROXY.exists():
    sys.exit(f"make class: {PROXY} is missing. Install it with: npm ci --prefix {HERE}")


def copy_new_files(source: Path, target: Path, pattern: str = "**/*") -> None:
    """Copy each file of ``source`` matching ``pattern`` that ``target`` lacks, under a temporary name then
    renamed into place."""
    for path in sorted(source.glob(pattern)):
        destination = target / path.relative_to(source)
        if path.is_file() and not destination.exists() and "damaged" not in path.relative_to(source).parts:
            destination.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=destination.parent, prefix=".partial-", delete=False) as partial:
                shutil.copyfile(path, partial.name)
            os.replace(partial.name, destination)


def link_new_files(shared: Path, target: Path) -> None:
    """Link into ``target`` each file of ``shared`` that ``target`` lacks (a symbolic link to the shared file)."""
    for path in sorted(shared.rglob("*")):
        destination = target / path.relative_to(shared)
        if path.is_file() and not os.path.lexists(destination):
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.symlink_to(path)


def publish_cache(source: Path, shared: Path) -> None:
    """Add the trained models of ``source`` to the read-only ``shared`` cache (folders r-x, files r--).

    Entries are added, never replaced: to replace one, stop the hub and delete the shared cache.
    """
    shared.mkdir(parents=True, exist_ok=True)
    shared.chmod(0o755)
    if source.is_dir():
        copy_new_files(source, shared)
    for path in [shared, *shared.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


publish_cache(INSTRUCTOR_CACHE, SHARED_CACHE)
STUDENTS.mkdir(parents=True, exist_ok=True)


class CourseSpawner(LocalProcessSpawner):
    """A student's server: the course's Python in the student's own folder, with a memory limit."""

    @property
    def folder(self) -> Path:
        return STUDENTS / self.user.name

    async def start(self):
        self.folder.mkdir(mode=0o700, exist_ok=True)
        # The course's notebooks only, not what a run left beside them (04's article_model.keras, checkpoints).
        copy_new_files(PROJECT / "notebooks", self.folder, "*.ipynb")
        link_new_files(SHARED_CACHE, self.folder / ".course-cache")
        return await super().start()

    def make_preexec_fn(self, name):
        folder, limit = self.folder, self.mem_limit

        def preexec():  # runs in the new process, before the server starts
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            os.chdir(folder)

        return preexec

    def user_env(self, env):
        env.update(USER=self.user.name, HOME=str(self.folder), SHELL="/bin/bash",
                   COURSE_CACHE_DIR=str(self.folder / ".course-cache"))
        return env


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = str(STUDENTS / "{username}")
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = ByteSpecification().validate(None, os.environ.get("CLASS_MEM_LIMIT", "6G"))  # e.g. 6G
c.Spawner.environment = {**ENVIRONMENT, BUDGET_VARIABLE: os.environ.get(BUDGET_VARIABLE) or DEFAULT_BUDGET}
if os.environ.get("MNIST_DATA_DIR"):
    c.Spawner.environment["MNIST_DATA_DIR"] = str(Path(os.environ["MNIST_DATA_DIR"]).resolve())
if os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
c.NativeAuthenticator.minimum_password_length = 8
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 300
# A name is a folder name: lower-case letters, digits, "_" and "-", starting with a letter.
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,31}$"
c.Authenticator.admin_users = {os.environ.get("CLASS_ADMIN", "instructor")}
if os.environ.get("CLASS_ROSTER"):
    roster = Path(os.environ["CLASS_ROSTER"]).read_text().split()
    c.Authenticator.allowed_users = {name.lower() for name in roster}
else:
    c.Authenticator.allow_all = True  # NativeAuthenticator lets in only the sign-ups the instructor authorized

c.JupyterHub.bind_url = f"http://{os.environ.get('CLASS_IP', '127.0.0.1')}:{PORT}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{PORT + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.JupyterHub.db_url = f"sqlite:///{CLASS_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(CLASS_DIR / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(CLASS_DIR / "jupyterhub-proxy.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server
