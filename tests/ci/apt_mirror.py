#!/usr/bin/env python3
"""apt_mirror.py [SUITE]: the Debian mirror this machine's apt uses for
SUITE's main component (default bookworm), from its own configuration
(/etc/apt/sources.list and sources.list.d, one-line and deb822 formats),
never a host name typed in.  Exits 1 when apt has none."""
import glob
import sys

suite = sys.argv[1] if len(sys.argv) > 1 else 'bookworm'


def one_line(path):
    for line in open(path):
        words = line.split('#', 1)[0].split()
        if len(words) >= 4 and words[0] == 'deb':
            if words[1].startswith('['):        # deb [options] URI suite comps
                while words and not words[0].endswith(']'):
                    words.pop(0)
                words = ['deb'] + words[1:]
            yield words[1], [words[2]], words[3:]


def deb822(path):
    for stanza in open(path).read().split('\n\n'):
        f = {}
        for line in stanza.splitlines():
            if ':' in line and not line.startswith(('#', ' ')):
                k, v = line.split(':', 1)
                f[k.strip()] = v.split()
        if 'deb' in f.get('Types', []) and f.get('Enabled', ['yes'])[0] != 'no':
            for uri in f.get('URIs', []):
                yield uri, f.get('Suites', []), f.get('Components', [])


sources = [one_line(p) for p in ['/etc/apt/sources.list'] + sorted(glob.glob('/etc/apt/sources.list.d/*.list'))
           if glob.os.path.exists(p)]
sources += [deb822(p) for p in sorted(glob.glob('/etc/apt/sources.list.d/*.sources'))]
for src in sources:
    for uri, suites, comps in src:
        if suite in suites and 'main' in comps:
            print(uri.rstrip('/'))
            sys.exit(0)
sys.exit('no apt source for %s main on this machine' % suite)
