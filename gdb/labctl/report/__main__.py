# Render a saved capture again:
#   PYTHONPATH=gdb python3 -m labctl.report CAPTURE.json OUTDIR md,html [LANG]
# (labctl trace --timeline runs this; FORMATS may also name json, ignored;
# LANG: en, the default, or a catalogue of lang/, e.g. zh.)
import json
import sys

from labctl.report import write_reports


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit('usage: python3 -m labctl.report CAPTURE.json OUTDIR FORMATS [LANG]')
    try:
        with open(argv[1]) as f:
            cap = json.load(f)
        write_reports(cap, argv[2], argv[3].split(','), argv[4] if len(argv) == 5 else None)
    except (OSError, ValueError) as e:
        sys.exit('labctl.report: %s' % e)


main(sys.argv)
