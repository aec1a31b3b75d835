# Render a saved capture again:
#   PYTHONPATH=gdb python3 -m labctl.report CAPTURE.json OUTDIR md,html
# (labctl trace --timeline runs this; FORMATS may also name json, ignored.)
import json
import sys

from labctl.report import write_reports


def main(argv):
    if len(argv) != 4:
        sys.exit('usage: python3 -m labctl.report CAPTURE.json OUTDIR FORMATS')
    try:
        with open(argv[1]) as f:
            cap = json.load(f)
        write_reports(cap, argv[2], argv[3].split(','))
    except (OSError, ValueError) as e:
        sys.exit('labctl.report: %s' % e)


main(sys.argv)
