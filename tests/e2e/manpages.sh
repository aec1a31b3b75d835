# The manual pages (man/*.scd, built by make into build/man/) against the
# command line they describe: a page for every command and a command for
# every page; each renders without a warning from man; its OPTIONS are the
# command's table, name for name (--list-options), with --help's short
# letter and value name; every example in it is a command line labctl's
# parser takes (each run with --help added, so that nothing runs).
. "$(dirname "$0")/lib"

need_tools man scdoc python3
make -s -C "$ROOT" $(make -s -C "$ROOT" print-MANS) >"$T/make.log" 2>&1 ||
	{ cat "$T/make.log"; not_ok "the pages build"; }

commands=$("$LABCTL" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p')
check "labctl --help lists commands" test -n "$commands"
pages=$(cd "$ROOT/man" && ls *.1.scd | sed 's/\.1\.scd$//' | sort)
check "a page for labctl and one for each command, and no other" \
	test "$pages" = "$({ echo labctl; printf 'labctl-%s\n' $commands; } | sort)"

for page in $pages; do
	cmd=${page#labctl}; cmd=${cmd#-}
	roff=$ROOT/build/man/$page.1
	MANWIDTH=80 man --warnings -l "$roff" 2>"$T/warnings" >"$T/page"
	check "$page(1): man renders it without a warning" test ! -s "$T/warnings" -a -s "$T/page"
	"$LABCTL" $cmd --help >"$T/help"
	"$LABCTL" $cmd --list-options >"$T/table"
	python3 - "$T/page" "$T/help" "$T/table" "$page" "$LABCTL" "$T/cache" <<'EOF'
import os, re, shlex, subprocess, sys

page, help_text, table = (open(p).read() for p in sys.argv[1:4])
name, labctl, cache = sys.argv[4:7]

def section(title):
    """The lines of a section of the rendered page (headings start in column 0)."""
    lines, inside = [], False
    for line in page.splitlines():
        if line and not line[0].isspace():
            inside = line.strip() == title
        elif inside:
            lines.append(line)
    return lines

def report(ok, what, detail=''):
    print(('ok ' if ok else 'not ok ') + f'{name}(1): {what}')
    if not ok and detail:
        print(f'    {detail}')

# Option items: "-j, --jobs N" or "--out DIR" at the items' indentation.
term = re.compile(r'^ {7}(?:-([A-Za-z]), )?--([a-z0-9][a-z0-9-]*)(?: (\S+))?$')
items = [m.groups() for m in map(term.match,
         section('GLOBAL OPTIONS' if name == 'labctl' else 'OPTIONS')) if m]
names = ['--' + i[1] for i in items]
want = table.split()
report(names == want, f'OPTIONS lists the options of --list-options, in order ({len(want)})',
       f'page: {names}\n    table: {want}')
helps = {}
for line in help_text.splitlines():
    m = re.match(r'^  (?:-([A-Za-z]), |    )--([a-z0-9-]+)(?: (\S+))?', line)
    if m:
        helps[m.group(2)] = (m.group(1), m.group(3))
differ = [f'--{i[1]}: page {i[0]} {i[2]}, --help {helps.get(i[1])}'
          for i in items if helps.get(i[1]) != (i[0], i[2])]
report(items and not differ, "each option's short letter and value name are --help's",
       '; '.join(differ))

# EXAMPLES: each `labctl ...` line through the real parser, --help added
# before any "--" (an unknown option or a bad value fails before --help).
examples = [l.strip() for l in section('EXAMPLES') if l.strip().startswith('labctl ')]
bad = []
for line in examples:
    argv = [os.path.expanduser(a) for a in shlex.split(line.split('|')[0])][1:]
    cut = argv.index('--') if '--' in argv else len(argv)
    argv[cut:cut] = ['--help']
    r = subprocess.run([labctl, '--cache-dir', cache] + argv, capture_output=True, text=True)
    if r.returncode != 0:
        bad.append(f'{line}: {r.stderr.strip()}')
report(examples and not bad, f'its examples are command lines labctl takes ({len(examples)})',
       '\n    '.join(bad))
EOF
done
done_testing
