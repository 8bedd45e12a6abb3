"""Startup benchmark: process start to the first console prompt.

Measures, in a real pseudo-terminal (pexpect), the wall time from spawning
``vstackcli --root <tmpdir>`` until the prompt ``Switch>`` appears, and the same
with ``--startup-config running-config.example`` when that file exists in the
repository root. Each variant runs ``--runs`` times; min/median/max are printed
in milliseconds next to a bare-interpreter baseline.

Also printed: the import time of ``vstackcli.cli`` and ``vstackcli.shell.console``
(and of the modules ``cli.main`` imports on its way to the prompt), each in a
fresh interpreter, the slowest imports by ``python -X importtime``, and whether
heavy modules (scapy, tftpy, rich...) are loaded on the path to the first prompt.

Goal: under 300 ms from spawn to the prompt.

    .venv/bin/python bench/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parent.parent
GOAL_MS = 300
CPR_REQUEST = "\x1b[6n"  # prompt_toolkit asks the terminal where the cursor is; a terminal answers
# Child-process environment for the current bytecode setting (see --bytecode).
ENV_OVERRIDES: dict[str, str] = {}
ENV_REMOVED: set[str] = set()
HEAVY = ("scapy", "tftpy", "rich", "pyparsing", "prompt_toolkit", "pygments", "asyncio", "tomllib")

# What cli.main does before the console takes over (no argument parsing, no terminal).
_BOOT_PATH = """
import sys, tempfile
from pathlib import Path
import vstackcli.cli
from vstackcli.engine.device import Device
from vstackcli.shell.replay import replay
from vstackcli.shell.session import Session
_tmp = tempfile.TemporaryDirectory(prefix="vstackcli-bench-")
device = Device(Path(_tmp.name))
saved = device.storage.startup_config()
if saved is not None:
    replay(device, saved, source="nvram:startup-config")
session = Session(device)
before_console = set(sys.modules)
import vstackcli.shell.console
after_console = set(sys.modules)
print(json.dumps({"before": sorted(before_console), "after": sorted(after_console)}))
"""


def _executable() -> list[str]:
    script = Path(sys.executable).parent / "vstackcli"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "vstackcli"]


def _fmt(values: list[float]) -> str:
    return (f"min {min(values):7.1f}  median {statistics.median(values):7.1f}  max {max(values):7.1f} ms"
            f"  (n={len(values)})")


def _env() -> dict[str, str]:
    return {**os.environ, **ENV_OVERRIDES, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}


def _child_env() -> dict[str, str]:
    env = _env()
    for name in ENV_REMOVED:
        env.pop(name, None)
    return env


def time_to_prompt(argv: list[str], prompt: str, timeout: float) -> tuple[float, float | None, str]:
    """Spawn argv in a pty; return (ms to prompt, ms to the banner or None, what it printed before)."""
    env = _child_env()
    start = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace", timeout=timeout,
                          dimensions=(24, 80), env=env)
    banner_ms = None
    seen = ""
    try:
        while True:
            i = child.expect_exact([prompt, "Press RETURN to get started!", CPR_REQUEST])
            now = (time.perf_counter() - start) * 1000
            seen += child.before + child.after
            if i == 0:
                prompt_ms = now
                break
            if i == 1:
                banner_ms = now
            else:
                child.send("\x1b[1;1R")
        child.sendeof()  # Ctrl-D at the prompt ends the console
        child.expect(pexpect.EOF, timeout=10)
    except (pexpect.TIMEOUT, pexpect.EOF) as exc:
        tail = (seen + (child.before or ""))[-600:]
        raise RuntimeError(f"{' '.join(argv)}: no prompt {prompt!r} ({type(exc).__name__}); output: {tail!r}") from None
    finally:
        child.close(force=True)
    if child.exitstatus not in (0, None):
        print(f"  note: exit status {child.exitstatus}")
    return prompt_ms, banner_ms, seen


def bench_variant(label: str, extra: list[str], runs: int, prompt: str, timeout: float) -> list[float]:
    prompts: list[float] = []
    banners: list[float] = []
    first_output = ""
    for _ in range(runs):
        root = tempfile.mkdtemp(prefix="vstackcli-bench-")
        try:
            ms, banner, seen = time_to_prompt([*_executable(), "--root", root, *extra], prompt, timeout)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        prompts.append(ms)
        if banner is not None:
            banners.append(banner)
        first_output = first_output or seen
    print(f"{label}")
    if banners:
        print(f"  to banner : {_fmt(banners)}")
    print(f"  to prompt : {_fmt(prompts)}   goal: under {GOAL_MS} ms"
          f"  -> {'met' if statistics.median(prompts) < GOAL_MS else 'NOT met'} (median)")
    summary = [line for line in first_output.replace("\r", "").split("\n") if "lines applied" in line]
    for line in summary:
        print(f"  replay    : {line.strip()}")
    return prompts


def baseline(runs: int, timeout: float) -> None:
    """The interpreter alone, in the same pty harness: the floor under any startup figure."""
    values = []
    for _ in range(runs):
        ms, _, _ = time_to_prompt([sys.executable, "-c", "print('READY>')"], "READY>", timeout)
        values.append(ms)
    print("baseline: python -c print() in a pty")
    print(f"  to output : {_fmt(values)}")


def import_wall_ms(module: str, runs: int) -> list[float]:
    """Wall time of ``python -c 'import module'`` minus the median of ``python -c pass``."""
    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, env=_child_env())
        return (time.perf_counter() - start) * 1000

    empty = statistics.median(run("pass") for _ in range(runs))
    return [run(f"import {module}") - empty for _ in range(runs)]


def importtime(module: str) -> tuple[float, list[tuple[float, float, str]]]:
    """``python -X importtime``: the module's cumulative µs and every (self, cumulative, name) row."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                          text=True, check=True, cwd=REPO, env=_child_env())
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumul_us, name = line.removeprefix("import time:").split("|", 2)
        rows.append((float(self_us), float(cumul_us), name.rstrip()))
    top = next((cumul for _, cumul, name in rows if name.strip() == module), float("nan"))
    return top, rows


def bench_imports(runs: int, top: int) -> None:
    print()
    print("import time, fresh interpreter (wall = python -c 'import M' minus python -c pass; "
          "importtime = -X importtime cumulative)")
    modules = ["vstackcli.cli", "vstackcli.engine.device", "vstackcli.shell.session", "vstackcli.shell.replay",
               "vstackcli.shell.console"]
    for module in modules:
        wall = import_wall_ms(module, runs)
        cumul, _ = importtime(module)
        print(f"  {module:26s} wall median {statistics.median(wall):6.1f} ms   importtime {cumul / 1000:6.1f} ms")
    # the whole path cli.main walks before the first prompt
    path = "vstackcli.cli, vstackcli.engine.device, vstackcli.shell.replay, vstackcli.shell.session, " \
           "vstackcli.shell.console"
    wall = import_wall_ms(path, runs)
    print(f"  {'(all of the above)':26s} wall median {statistics.median(wall):6.1f} ms")
    _, rows = importtime(path)
    rows.sort(key=lambda r: r[0], reverse=True)
    print(f"  slowest imports by self time (-X importtime, all of the above), top {top}:")
    for self_us, cumul_us, name in rows[:top]:
        print(f"    self {self_us / 1000:6.1f} ms  cumul {cumul_us / 1000:6.1f} ms  {name.strip()}")
    by_package: dict[str, float] = {}
    stdlib = set(sys.stdlib_module_names)
    for self_us, _, name in rows:
        package = name.strip().split(".")[0]
        key = "(stdlib)" if package in stdlib or package.startswith("_") else package
        by_package[key] = by_package.get(key, 0.0) + self_us
    print("  self time by top-level package:")
    for package, self_us in sorted(by_package.items(), key=lambda kv: kv[1], reverse=True)[:8]:
        print(f"    {self_us / 1000:6.1f} ms  {package}")


_PHASES = """
import sys
import time
t0 = time.perf_counter()
marks = []
def mark(label):
    marks.append((label, (time.perf_counter() - t0) * 1000))
import tempfile
from pathlib import Path
import vstackcli.cli
mark("import vstackcli.cli")
from vstackcli.engine.device import Device
mark("import engine.device")
from vstackcli.shell.replay import replay
from vstackcli.shell.session import Session
mark("import shell.replay, shell.session (builds MODES)")
_tmp = tempfile.TemporaryDirectory(prefix="vstackcli-bench-")
device = Device(Path(_tmp.name))
mark("Device(root)")
if len(sys.argv) > 1:
    report = replay(device, Path(sys.argv[1]).read_text(errors="replace"), source=sys.argv[1])
    mark(f"replay --startup-config ({report.applied} applied, {len(report.failures)} failed; builds graphs)")
session = Session(device)
mark("Session(device)")
session.prompt()
mark("first prompt() text")
from vstackcli.shell.console import Console
mark("import shell.console (prompt_toolkit)")
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
with create_pipe_input() as pipe:
    from prompt_toolkit.application import create_app_session
    with create_app_session(input=pipe, output=DummyOutput()):
        Console(session)
mark("Console(session) (PromptSession, key bindings)")
for label, ms in marks:
    print(f"{ms:.3f}\t{label}")
"""


def phases(runs: int, config: Path | None) -> None:
    """Where the in-process part of startup goes, phase by phase (median over fresh interpreters)."""
    print()
    with_config = f", --startup-config {config.name}" if config else ""
    print(f"in-process phases of cli.main up to the console{with_config} (fresh interpreter each run; "
          "ms since the first line)")
    results: dict[str, list[float]] = {}
    order: list[str] = []
    argv = [str(config)] if config else []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", _PHASES, *argv], capture_output=True, text=True, check=True,
                              cwd=REPO, env=_child_env())
        for line in proc.stdout.strip().splitlines():
            ms, label = line.split("\t", 1)
            if label not in results:
                order.append(label)
            results.setdefault(label, []).append(float(ms))
    previous = 0.0
    for label in order:
        at = statistics.median(results[label])
        print(f"  at {at:6.1f} ms  (+{at - previous:5.1f})  {label}")
        previous = at


def heavy_modules() -> None:
    print()
    print("modules loaded on the path to the first prompt (Device + Session as cli.main builds them, then the "
          "console)")
    code = "import json\n" + _BOOT_PATH
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                          env=_child_env())
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    before, after = set(data["before"]), set(data["after"])
    for name in HEAVY:
        where = ("before the console" if name in before else
                 "by the console import" if name in after else "not loaded")
        print(f"  {name:15s} {where}")
    own = sorted(m for m in after if m.startswith("vstackcli"))
    print(f"  sys.modules: {len(before)} before the console, {len(after)} after; {len(own)} vstackcli modules")
    unexpected = [m for m in ("scapy", "tftpy", "rich") if m in after]
    if unexpected:
        print(f"  WARNING: heavy modules on the startup path: {', '.join(unexpected)}")


def bytecode_note() -> str:
    own_cache = any(REPO.joinpath("vstackcli").rglob("__pycache__/*.pyc"))
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE")
    prefix = os.environ.get("PYTHONPYCACHEPREFIX")
    return (f"PYTHONDONTWRITEBYTECODE={flag or '(unset)'}, PYTHONPYCACHEPREFIX={prefix or '(unset)'}, "
            f"vstackcli/__pycache__ {'present' if own_cache else 'absent'}")


def run_all(args: argparse.Namespace) -> None:
    baseline(args.runs, args.timeout)
    bench_variant("vstackcli --root TMP", [], args.runs, args.prompt, args.timeout)
    config = args.startup_config
    if config.exists():
        text = config.read_text(errors="replace")
        lines = sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("!"))
        hostnames = [line.split()[1] for line in text.splitlines()
                     if line.startswith("hostname ") and len(line.split()) > 1]
        prompt = f"{hostnames[-1]}>" if hostnames else args.prompt
        bench_variant(f"vstackcli --root TMP --startup-config {config.name} ({lines} lines, prompt {prompt})",
                      ["--startup-config", str(config)], args.runs, prompt, args.timeout)
    else:
        print(f"vstackcli --startup-config: skipped, {config} does not exist")
    bench_imports(max(3, args.runs // 2), args.top)
    phases(max(3, args.runs // 2), None)
    if config.exists():
        phases(max(3, args.runs // 2), config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="spawns per variant (default 10)")
    parser.add_argument("--startup-config", type=Path, default=REPO / "running-config.example",
                        help="configuration for the --startup-config variant (default: running-config.example)")
    parser.add_argument("--prompt", default="Switch>", help="prompt to wait for (default Switch>)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a prompt")
    parser.add_argument("--top", type=int, default=12, help="slowest imports to list")
    parser.add_argument("--bytecode", choices=("as-is", "cached", "both"), default="both",
                        help="as-is: the environment as it is (with PYTHONDONTWRITEBYTECODE set and no "
                             "__pycache__, every start compiles vstackcli from source); cached: .pyc files kept "
                             "in a temporary PYTHONPYCACHEPREFIX, as an installed package has them (default both)")
    args = parser.parse_args()

    print(f"vstackcli startup: {' '.join(_executable())}, {args.runs} runs per variant, {os.cpu_count()} CPUs")
    print(f"environment: {bytecode_note()}")
    if args.bytecode in ("as-is", "both"):
        print()
        print("=== bytecode: as-is ===")
        run_all(args)
    if args.bytecode in ("cached", "both"):
        with tempfile.TemporaryDirectory(prefix="vstackcli-pyc-") as cache:
            ENV_OVERRIDES["PYTHONPYCACHEPREFIX"] = cache
            ENV_REMOVED.add("PYTHONDONTWRITEBYTECODE")
            # fill the cache: everything the startup path and this harness import
            subprocess.run([sys.executable, "-c", "import json\n" + _BOOT_PATH + "\nimport prompt_toolkit.input"],
                           check=True, cwd=REPO, env=_child_env(), capture_output=True)
            print()
            print(f"=== bytecode: cached (PYTHONPYCACHEPREFIX={cache}, filled by a warm-up import) ===")
            run_all(args)
            ENV_OVERRIDES.clear()
            ENV_REMOVED.clear()
    heavy_modules()


if __name__ == "__main__":
    main()
