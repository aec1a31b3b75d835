# scenario labctl-grade: labctl grade's run of a submission's program
# (labctl/grade/grade-guest.c), sourced by init.
#   labctl.args=SECONDS,PROGRAM[,server]
# /grade/PROGRAM is not in the image: it comes in the inbox.  The guest is
# saved at step run (labctl.hold=run), the server already listening, and
# each grading restores it there: its inbox, which takes the program's place,
# unpacks the archive and becomes grade_run.  grade_run runs the program
# unprivileged, for at most SECONDS, shows at most 8192 bytes of its output,
# says how it ended, and powers the guest off (-p).  With server, the lab's
# TCP server listens on 127.0.0.1:1234 first (connect).
set -- $LABCTL_ARGS
[ "$3" != server ] || step server bg /lab/tcp_server
step run fg /lab/grade_run -p run "$1" 8192 "/grade/$2"
