/* labctl doctor's checks that live outside cmd-doctor.c (their headers clash). */
#ifndef LABCTL_DOCTOR_H
#define LABCTL_DOCTOR_H

/* Can bubblewrap make labctl grade's sandbox here?  NULL if so, else why
 * not (static storage); logs in WORKDIR.  grade-sandbox.c's own probe. */
const char *doctor_sandbox_probe(const char *workdir);

#endif
