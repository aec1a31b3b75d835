# grade --lang zh: what students read (each check's title and verdict, in
# grade.json, junit.xml's failures and results.json) in Simplified Chinese from the
# reports' catalogue (gdb/labctl/report/lang/zh.json), the verdicts and
# scores the English grade's; every ASCII word left in a Chinese message is
# a value of the English one (a function, a path, the compiler's own line)
# or a word the translations keep themselves (syscall, connect), never the
# English of a message.
. "$(dirname "$0")/lib"

need_tools bwrap gcc gdb qemu-system-x86_64 python3
need_kernel
export LABCTL_RUN_ROOT=$T/runs
FIX=$ROOT/tests/e2e/fixtures/submissions

python3 "$FIX/corpus.py" "$T/corpus" >/dev/null || { not_ok "corpus: written"; exit 1; }
# a pass, and a failure of each check (but a time limit's: its timing is
# corpus.sh's to test, here only the words)
cases="connect-in-main connect-libc-wrapper connect-no-call connect-not-a-socket
connect-wrong-number does-not-compile report-missing report-list-only"
for name in $cases; do
	for lang in en zh; do
		"$LABCTL" -q grade --lang "$lang" --out "$T/$lang/$name" "$T/corpus/$name" \
			>"$T/$lang-$name.out" 2>&1
		echo $? >"$T/$lang-$name.rc"
	done
	check "$name: the same exit status in zh as in en" \
		test "$(cat "$T/zh-$name.rc")" = "$(cat "$T/en-$name.rc")"
	check "$name: zh says it in Chinese, the verdicts and scores en's" python3 - \
		"$ROOT" "$T/en/$name" "$T/zh/$name" <<'EOF'
import json, re, sys
import xml.etree.ElementTree as ET
root, en_dir, zh_dir = sys.argv[1:]
sys.path[:0] = [root + '/tests/py', root + '/gdb']
import messages
from labctl.report.lang import _pattern

WORD = re.compile(r'[A-Za-z]{3,}')
cat = json.load(open(root + '/gdb/labctl/report/lang/zh.json'))
kept = set(WORD.findall(' '.join(t for s in cat['sections'] for t in s['messages'].values())))
templates = messages.c_english()
cjk = re.compile('[\u4e00-\u9fff]')


def values(msg):
    """The values an English message was filled with: the groups of the
    template it matches with the most words of its own."""
    fits = [(len(t), m) for t in templates for m in [_pattern(t).match(msg)] if m]
    assert fits, 'no message of labctl makes %r' % msg
    return ' '.join(max(fits, key=lambda f: f[0])[1].groups())


en, zh = (json.load(open(d + '/grade.json')) for d in (en_dir, zh_dir))
assert en['checks'], 'no checks'
for e, z in zip(en['checks'], zh['checks']):
    assert (e['id'], e['passed'], e['points']) == (z['id'], z['passed'], z['points']), (e, z)
    assert cjk.search(z['title']) and cjk.search(z['message']), z
    left = set(WORD.findall(z['message'])) - set(WORD.findall(values(e['message']))) - kept
    assert not left, (z['message'], left)
# junit.xml names a test by its check's id; a failure says the verdict
junit = ET.parse(zh_dir + '/junit.xml')
failures = {tc.get('name'): tc.find('failure').get('message')
            for tc in junit.iter('testcase') if tc.find('failure') is not None}
assert failures == {z['id']: z['message'] for z in zh['checks'] if not z['passed']}, failures
results = json.load(open(zh_dir + '/results.json'))
assert all(cjk.search(t['name']) for t in results['tests']), 'results.json'
EOF
done
# a submission that is not one: the student reads why in Chinese too
cp -r "$T/corpus/connect-in-main" "$T/no-ini" && rm "$T/no-ini/labctl.ini"
expect_exit "no labctl.ini, in zh: invalid (exit 4)" 4 "$LABCTL" -q grade --lang zh "$T/no-ini"
check "... said in one Chinese line" grep -qx 'labctl: invalid submission: 没有 labctl.ini：请从起始模板中复制一份' "$T/err"
cp -r "$T/corpus/connect-in-main" "$T/bad-ini" && echo 'not a setting' >>"$T/bad-ini/labctl.ini"
expect_exit "a bad labctl.ini line, in zh: invalid (exit 4)" 4 "$LABCTL" -q grade --lang zh "$T/bad-ini"
check "... the line named in Chinese" grep -q '^labctl: invalid submission: labctl.ini: 第 [0-9]* 行既不是' "$T/err"
expect_exit "LABCTL_LANG=fr: refused, one line" 2 env LABCTL_LANG=fr "$LABCTL" grade "$T/corpus/connect-in-main"
check "... naming the languages" grep -q "^labctl: error: LABCTL_LANG=fr: not a language of labctl's (en, zh)$" "$T/err"
done_testing
