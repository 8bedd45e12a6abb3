"""vty line editing benchmark: keys per second through ``LineEditor`` and the bytes each key sends.

Two workloads, pure Python, no sockets: an 80-column terminal where a 60-character command is typed and
fixed in the middle (Ctrl-A, Esc F, left arrows, Ctrl-T, backspaces, inserts, Ctrl-E), and a 1000-character
line typed on the same terminal (it scrolls with ``$`` every ten columns) with Ctrl-A / Ctrl-E and arrows
across it. Prints keys per second and bytes sent per key. No assertions.

    .venv/bin/python bench/vty_editing.py [--rounds 2000]
"""

from __future__ import annotations

import argparse
import time

from vstackcli.net.vty.editor import LineEditor

PROMPT = "Director#"
COMMAND = "show running-config | include vstack director 10.0.0.1 basic"
FIXES = ["\x01", "\x1bf", "\x1bf", "\x1b[D", "\x1b[D", "\x14", "\x7f", "x", "\x04", "\x05", "\x17", "\x19"]
LONG = ("description " + "abcdefghij " * 90)[:1000]


def run(keys: list[str], rounds: int, width: int | None) -> tuple[float, float]:
    sent = 0
    start = time.perf_counter()
    for _ in range(rounds):
        editor = LineEditor(width=width)
        for key in keys:
            sent += len(editor.handle(key) or b"")
    elapsed = time.perf_counter() - start
    count = len(keys) * rounds
    return count / elapsed, sent / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    width = 80 - len(PROMPT)
    short = [*COMMAND, *FIXES]
    long = [*LONG, "\x01", *["\x1b[C"] * 300, "\x05", *["\x1b[D"] * 300, "\x17", "\x19"]
    for name, keys, rounds in (("60-char line, mid-line fixes", short, args.rounds),
                               ("1000-char line, scrolling", long, max(1, args.rounds // 20))):
        rate, per_key = run(keys, rounds, width)
        print(f"{name:32s} {rate:12,.0f} keys/s   {per_key:6.2f} bytes/key   ({len(keys)} keys x {rounds})")


if __name__ == "__main__":
    main()
