"""Take the README's screenshot of a page in Debian's Chromium (Playwright).

    python scripts/screenshot.py                      # the action plan, nb, 1280 px wide
    python scripts/screenshot.py --path /ansvar --out docs/ansvar.png --lang en

The app is served from the build in ``--out-dir`` (``dist/`` by default; without a build
the sources are assembled in memory) on a free loopback port, the page is opened at the
given width in the given language, and the top ``--height`` pixels are saved as PNG.
Nothing is fetched from another host.
"""

from __future__ import annotations

import argparse
import shutil
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from web import create_app

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--path", default="/id/dokument/handlingsplan-2015-2019")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "action-plan.png")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "dist", help="the build to serve")
    parser.add_argument("--lang", default="nb", choices=["nb", "en"])
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1500)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()

    app = create_app({"out_dir": args.out_dir})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=args.chromium,
                args=["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"],
            )
            context = browser.new_context(
                locale="nb-NO" if args.lang == "nb" else "en-GB",
                viewport={"width": args.width, "height": args.height},
            )
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}{args.path}?lang={args.lang}")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.shutdown()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
