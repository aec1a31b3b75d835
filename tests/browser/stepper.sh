# The browser tier (tests/run): report.html's stepper in headless Chromium.
# Installs puppeteer-core from package-lock.json (npm ci, into
# tests/browser/node_modules, kept out of git) when the lockfile changed
# since the last install, then runs stepper.test.js.  puppeteer-core
# downloads no browser: the test drives Debian's /usr/bin/chromium.
. "$(dirname "$0")/../e2e/lib"
need_tools node npm chromium python3
cd "$ROOT/tests/browser" || exit 1

# The lockfile as last installed: a fresh clone, or a changed lockfile,
# installs again (npm ci removes node_modules first).
STAMP=node_modules/.labctl-installed-lock
if ! cmp -s package-lock.json "$STAMP"; then
	if npm ci --ignore-scripts --no-audit --no-fund >"$T/npm.log" 2>&1; then
		cp package-lock.json "$STAMP"
	else
		not_ok "npm ci (tests/browser)"
		tail -20 "$T/npm.log" | sed 's/^/    /'
		DONE_TESTING=1
		exit 1
	fi
fi

CHROMIUM=$(command -v chromium) node stepper.test.js
rc=$?
done_testing
exit "$rc"
