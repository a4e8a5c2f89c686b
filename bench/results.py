"""Score numeric result extraction on the hand-checked seed sentences in tests/data/results_sample.jsonl.

    python bench/results.py            # default pipeline
    python bench/results.py --mode fast
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.extract import Extractor  # noqa: E402
from tests.test_results import PARTS, score_sample  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", default="default", choices=["default", "fast"])
    parser.add_argument("--show-misses", action="store_true", help="print every missed and spurious value")
    args = parser.parse_args()
    s = score_sample(Extractor(mode=args.mode))
    f1 = 2 * s["precision"] * s["recall"] / max(s["precision"] + s["recall"], 1e-9)
    print(f"results: gold {s['gold']}  predicted {s['predicted']}  matched {s['matched']}")
    print(f"  P={s['precision']:.3f} R={s['recall']:.3f} F1={f1:.3f}")
    print(f"  kind (absolute/delta) right {s['kind']}/{s['matched']}, unit right {s['unit']}/{s['unit_scored']}")
    for part in PARTS:
        print(f"  {part} right {s[part + '_right']}/{s[part + '_scored']}")
    if args.show_misses:
        for kind, value, sentence in s["misses"]:
            print(f"{kind:8} {value:>8}  {sentence[:140]}")


if __name__ == "__main__":
    main()
