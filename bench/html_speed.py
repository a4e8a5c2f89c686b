"""HTML speed: time to the first drawn frame of graph views in headless Chromium.

    python bench/html_speed.py                 # the seeds, overview at 400 and 2,000 nodes, 3 runs each
    python bench/html_speed.py --nodes 2000 --runs 5

Each run opens the page fresh at ``#/graph`` and reads ``window.kgFirstFrame``: the
``performance.now()`` of vis-network's first ``afterDrawing`` event, i.e. milliseconds from the
start of navigation to the first frame on screen. Needs Chromium at /usr/bin/chromium (or
KG_CHROMIUM) and Playwright (``pip install -e '.[test]'``).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg  # noqa: E402
from kg.html import generate_html  # noqa: E402


def first_frame_ms(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(url)
        for _ in range(600):
            value = page.evaluate("window.kgFirstFrame")
            if value is not None:
                return value
            page.wait_for_timeout(20)
        raise RuntimeError(f"no frame drawn within 12 s at {url}")
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, nargs="+", default=[400, 2000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    graph = kg.build(n_process=os.cpu_count() or 1)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"),
                                             args=["--no-sandbox"])
        print(f"{'nodes':>6} {'page MB':>8} {'render s':>9} {'first frame ms (median of ' + str(args.runs) + ')':>34}")
        for nodes in args.nodes:
            started = time.perf_counter()
            page = generate_html(graph.G, max_nodes=nodes)
            rendered = time.perf_counter() - started
            path = Path(tmp) / f"graph-{nodes}.html"
            path.write_text(page, encoding="utf-8")
            times = [first_frame_ms(browser, path.as_uri() + "#/graph") for _ in range(args.runs)]
            print(f"{nodes:>6} {len(page) / 1e6:>8.1f} {rendered:>9.1f} {statistics.median(times):>34.0f}"
                  f"   (runs: {', '.join(f'{t:.0f}' for t in times)})")
        browser.close()


if __name__ == "__main__":
    main()
