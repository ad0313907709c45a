"""Re-anchoring after an edit, measured: how many mentions move by themselves, and to where.

    .venv/bin/python bench/anchoring.py [--write]

Generates, with fixed seeds, CASES_PER_FAMILY cases of each adversarial family and
ORDINARY_CASES ordinary edits (an equal share of each kind) with tests/anchoring_cases.py, runs
claims.anchoring.place on each and prints a Markdown table. --write also saves it as
bench/anchoring.md. Pure Python: no database, no Django settings.

Exits 1 when a mention was placed by itself on other words than its own (mis-anchored), or
when fewer than ORDINARY_BUDGET of the ordinary edits were placed by themselves.
"""

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import random  # noqa: E402

from claims.anchoring import place  # noqa: E402
from tests.anchoring_cases import ADVERSARIAL, ORDINARY, make_case, outcome  # noqa: E402

CASES_PER_FAMILY = 30
ORDINARY_CASES = 200
ORDINARY_BUDGET = 0.95
COLUMNS = ("correct", "held", "orphaned", "misplaced")


SIZES: list[int] = []  # characters in each edited text


def measure(family: str, count: int) -> tuple[Counter, float]:
    """Outcomes of count cases of the family, and the time place() took on them, in seconds."""
    rng = random.Random(f"bench/anchoring/{family}")  # noqa: S311 - fixed cases, not secrets
    outcomes, took = Counter(), 0.0
    for _ in range(count):
        case = make_case(family, rng)
        began = time.perf_counter()
        placement = place(case.new_text, case.anchor)
        took += time.perf_counter() - began
        outcomes[outcome(case, placement)] += 1
        SIZES.append(len(case.new_text))
    return outcomes, took


def row(name: str, outcomes: Counter) -> str:
    cells = [str(outcomes.total()), *(str(outcomes[column]) for column in COLUMNS)]
    return f"| {name} | " + " | ".join(cells) + " |"


def report() -> tuple[str, bool]:
    lines = [
        "# Re-anchoring after an edit",
        "",
        "Written by `bench/anchoring.py --write`: generated news-like articles "
        "(tests/anchoring_cases.py), fixed seeds. *Placed* counts mentions moved by themselves "
        "(placed or approximate) onto their own words; *mis-anchored* counts those moved onto "
        "other words, and must be 0.",
        "",
        "| family | cases | placed automatically (correct) | held for confirmation "
        "| orphaned | mis-anchored |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    misplaced, took, calls = 0, 0.0, 0
    for family in ADVERSARIAL:
        outcomes, spent = measure(family, CASES_PER_FAMILY)
        lines.append(row(family, outcomes))
        misplaced += outcomes["misplaced"]
        took, calls = took + spent, calls + outcomes.total()
    ordinary = Counter()
    for family in ORDINARY:
        outcomes, spent = measure(family, ORDINARY_CASES // len(ORDINARY))
        lines.append(row(f"ordinary: {family}", outcomes))
        ordinary += outcomes
        took, calls = took + spent, calls + outcomes.total()
    lines.append(row("**ordinary edits, all**", ordinary))
    misplaced += ordinary["misplaced"]
    share = ordinary["correct"] / ordinary.total()
    ok = misplaced == 0 and share >= ORDINARY_BUDGET
    lines += [
        "",
        f"- Mis-anchored, all families: {misplaced} (must be 0).",
        f"- Ordinary edits placed automatically: {ordinary['correct']}/{ordinary.total()} "
        f"({share:.1%}; must be at least {ORDINARY_BUDGET:.0%}).",
        f"- place() took {1000 * took / calls:.2f} ms a mention on average (texts of "
        f"{min(SIZES):,}–{max(SIZES):,} characters, Python {sys.version.split()[0]}).",
        "",
    ]
    return "\n".join(lines), ok


def main() -> int:
    text, ok = report()
    print(text, end="")
    if "--write" in sys.argv[1:]:
        (ROOT / "bench" / "anchoring.md").write_text(text, encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
