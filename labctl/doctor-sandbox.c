/* labctl doctor's bwrap check: the grading sandbox's own probe (doctor.h).
 * Apart from cmd-doctor.c because grade.h and elf.h both define elf_info. */
#include "doctor.h"
#include "grade.h"

const char *doctor_sandbox_probe(const char *workdir)
{
	return sandbox_probe(workdir);
}
