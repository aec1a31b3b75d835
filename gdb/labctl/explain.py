# What the interactive commands (interactive.py) say about an instruction
# and a step: pure Python, no GDB, so the fast tests check it (tests/py).
#
# An instruction is explained from its own text as GDB disassembles it
# (AT&T: `push   $0x2b`, `mov    0xffffffff81a0c00c,%rsp`) and from facts
# interactive.py read from the guest (the pt_regs slot a push fills, the
# variable a memory operand names): a fixed table of sentences by
# mnemonic.  An instruction the table does not know gets no sentence: only
# what it changed, which lab-step reads, is shown for it.
from labctl.report.lang import _
# user space is below it, the kernel above (kernel.USER_TOP needs GDB)
from labctl.report.trace_model import USER_TOP

# What GDB may print before a mnemonic.
PREFIXES = ('rep', 'repz', 'repnz', 'repe', 'repne', 'lock', 'notrack', 'bnd', 'data16', 'cs',
            'ds')


def split_operands(args):
    """AT&T operands, split on the commas outside parentheses:
    '0x8(%rsp,%rax,8),%rdi' -> ['0x8(%rsp,%rax,8)', '%rdi']."""
    out, depth, cur = [], 0, ''
    for c in args:
        if c == ',' and depth == 0:
            out.append(cur.strip())
            cur = ''
            continue
        depth += (c == '(') - (c == ')')
        cur += c
    if cur.strip():
        out.append(cur.strip())
    return out


def parse(insn):
    """(mnemonic, [operands]) of INSN; a call's or jump's '<symbol>' is
    dropped from its operand (target() reads it), and so is GDB's comment
    after a %rip-relative one (memory_address() reads it)."""
    words = insn.partition('#')[0].split()
    while words and words[0] in PREFIXES and len(words) > 1:
        words = words[1:]
    if not words:
        return '', []
    rest = ' '.join(words[1:]).split('<')[0].strip()
    return words[0], split_operands(rest)


def target(insn):
    """The symbol GDB names after a call's or jump's address: 'do_syscall_64'
    for `call 0xffffffff8121fbb2 <do_syscall_64>`, else None."""
    if '<' not in insn or not insn.rstrip().endswith('>'):
        return None
    name = insn[insn.rindex('<') + 1:-1].strip()
    return name.split('+')[0] or None


def memory_address(operand, insn):
    """The address a memory operand of INSN names when no register but %rip
    goes into it: `0xffffffff81806014` itself, or for `0x40bfca(%rip)` (per-
    cpu data on a kernel without SMP, since 6.8's %rip-relative PER_CPU_VAR)
    the address GDB computed and printed after the instruction
    (`# 0xffffffff8180c014 <cpu_tss_rw+20>`).  None for any other operand."""
    if operand.startswith('0x') and '(' not in operand:
        return int(operand, 16)
    words = insn.partition('#')[2].split()
    if operand.endswith('(%rip)') and words and words[0].startswith('0x'):
        return int(words[0], 16)
    return None


def normal(insn):
    """INSN with its runs of spaces made one: `push %rcx`."""
    return ' '.join(insn.split())


def is_rsp_memory(operand):
    """A memory operand addressed through rsp: 0x8(%rsp), (%rsp,%rax,8)."""
    return '(%rsp' in operand


def writes_stack(insn):
    """Does INSN write to memory through rsp (a push aside: rsp moves)?"""
    op, args = parse(insn)
    if not args or op.startswith(('cmp', 'test', 'push', 'pop', 'lea', 'j', 'call', 'nop')):
        return False
    return is_rsp_memory(args[-1])


def stack_name(addr):
    """Which stack an rsp value lies on, as far as its address tells."""
    return _('the user stack') if addr < USER_TOP else _('the kernel stack')


def sentence(insn, facts=None):
    """One sentence on what INSN does, from its mnemonic and operands and
    FACTS read from the guest: 'field'/'offset' (the pt_regs slot a push
    fills or a pop reads), 'stack' ('kernel': the task stack pt_regs is
    built on, 'entry': the entry stack, 'user'), 'memory' (the variable an
    absolute memory operand names: 'cpu_tss_rw.x86_tss.sp2'), 'c_entry'
    (the C entry's name).  None for a mnemonic the table does not know."""
    f = facts or {}
    op, args = parse(insn)
    src = args[0] if args else ''
    dst = args[-1] if args else ''
    mem = f.get('memory')
    if op == 'syscall':
        return _('enters the kernel: the CPU saves the user rip in rcx and rflags in r11, '
                 'loads cs and rip for ring 0 from its MSRs (rip becomes entry_SYSCALL_64); '
                 'rsp is left as it was, still the user stack')
    if op == 'int' and src == '$0x80':
        return _('enters the kernel through interrupt vector 0x80: the CPU switches to the '
                 'entry stack and pushes the user ss, sp, flags, cs and ip on it')
    if op == 'swapgs':
        return _('swaps gs_base with the saved kernel GS base (MSR_KERNEL_GS_BASE): from '
                 'here, %gs addresses this CPU\'s per-cpu variables')
    if op.startswith('push'):
        what = mem or src
        if f.get('field') and f.get('stack') == 'entry':
            return _('pushes %s onto the entry stack, into the word that is pt_regs->%s '
                     '(+%d) of the frame laid out there') % (what, f['field'], f['offset'])
        if f.get('field'):
            return _('pushes %s onto the kernel stack: it fills pt_regs->%s (+%d)') % (
                what, f['field'], f['offset'])
        if f.get('stack') == 'user':
            return _('pushes %s onto the user stack: no struct pt_regs is being built there') \
                % what
        return _('pushes %s onto the stack, outside the struct pt_regs being built') % what
    if op.startswith('pop'):
        if f.get('field'):
            return _('pops pt_regs->%s (+%d) into %s') % (f['field'], f['offset'], dst)
        return _('pops the word at rsp into %s') % dst
    if op.startswith('mov') and args == ['%rsp', '%rsp']:
        return None
    if op.startswith('mov') and dst == '%rsp':
        if mem:
            return _('switches the stack: rsp is loaded from %s') % mem
        return _('switches the stack: rsp is loaded from %s') % src
    if op.startswith('mov') and src == '%rsp' and mem:
        return _('saves the stack pointer in %s') % mem
    if op.startswith('mov') and dst == '%cr3':
        return _('loads cr3 from %s: the CPU switches to another set of page tables') % src
    if op.startswith('mov') and src == '%cr3':
        return _('reads cr3 (the page tables in use) into %s') % dst
    if op.startswith('mov') and len(args) == 2:
        return _('copies %s into %s') % (mem or src, dst)
    if op.startswith('xor') and len(args) == 2 and src == dst:
        return _('clears %s (a register xor itself is 0)') % dst
    if op.startswith('xor') and len(args) == 2:
        return _('xors %s into %s') % (src, dst)
    if op.startswith(('add', 'sub', 'and', 'or')) and len(args) == 2 and dst == '%rsp':
        return _('moves the stack pointer: rsp = rsp %s %s') % (
            {'add': '+', 'sub': '-', 'and': '&', 'or': '|'}[
                next(k for k in ('add', 'sub', 'and', 'or') if op.startswith(k))], src)
    if op.startswith('lea') and len(args) == 2:
        return _('loads the address %s into %s (no memory is read)') % (src, dst)
    if op.startswith(('cmp', 'test')) and len(args) == 2:
        return _('compares %s with %s: only the flags change') % (dst, src)
    if op.startswith('call'):
        name = target(insn) or src
        if f.get('c_entry') and name == f['c_entry']:
            return _('calls %s, the C part of the system call entry: the trace follows it '
                     'to the handler and back') % name
        return _('calls %s: pushes the return address and jumps there') % name
    if op.startswith('jmp'):
        return _('jumps to %s') % (target(insn) or src)
    if op.startswith('j'):
        return _('jumps to %s when its condition holds, else goes on to the next '
                 'instruction') % (target(insn) or src)
    if op.startswith('ret'):
        return _('returns: pops the return address at rsp into rip')
    if op.startswith('sysret'):
        return _('returns to user mode: rip from rcx, rflags from r11, cs and ss for ring 3; '
                 'rsp must already be the user stack')
    if op.startswith('iret'):
        return _('returns from the kernel: pops rip, cs, rflags, rsp and ss')
    if op.startswith('nop'):
        return _('does nothing (padding, or a place patched at boot)')
    if op == 'cli':
        return _('disables interrupts')
    if op == 'sti':
        return _('enables interrupts (after the next instruction)')
    return None


def full_sentence(s):
    """S, a sentence() (which has no capital, no full stop: it is made of
    clauses), as a sentence of its own."""
    return _('%s.') % (s[:1].upper() + s[1:])


def what_changed(st, cs=None, cr3=None, rsp_saved_to=None, operand=None):
    """The lines lab-step prints for step ST (a step as Capture.step()
    records it: gdb/SCHEMA.md): what it did to the stack (a push: the
    pt_regs field it filled), rsp, gs_base; CS and CR3 as (before, after)
    when read; RSP_SAVED_TO, the variable a `mov %rsp,ADDR` stored it in;
    OPERAND, the variable its absolute memory operand names."""
    out = []
    insn = normal(st['insn']) + (' (%s)' % operand if operand else '')
    push, pop = st.get('push'), st.get('pop')
    if push:
        if push.get('field') and push.get('stack') == 'entry':
            out.append(_('%s → pt_regs->%s (+%d) on the entry stack = 0x%x') % (
                insn, push['field'], push['offset'], push['word']))
        elif push.get('field'):
            out.append(_('%s → pt_regs->%s (+%d) = 0x%x') % (
                insn, push['field'], push['offset'], push['word']))
        elif push['addr'] < USER_TOP:
            out.append(_('%s → the user stack at 0x%x = 0x%x (no struct pt_regs is being '
                         'built yet)') % (insn, push['addr'], push['word']))
        else:
            out.append(_('%s → the stack at 0x%x = 0x%x (outside struct pt_regs)') % (
                insn, push['addr'], push['word']))
    if pop:
        if pop.get('field'):
            out.append(_('%s ← pt_regs->%s (+%d) = 0x%x') % (
                insn, pop['field'], pop['offset'], pop['word']))
        else:
            out.append(_('%s ← 0x%x from the stack at 0x%x') % (insn, pop['word'], pop['addr']))
    before, after = st['rsp_before'], st['rsp_after']
    moved = after - before
    if before != after and not (push and moved == -8) and not (pop and moved == 8):
        if (before < USER_TOP) != (after < USER_TOP):
            out.append(_('rsp 0x%x → 0x%x (%s)') % (before, after, stack_name(after)))
        else:
            out.append(_('rsp 0x%x → 0x%x (%+d bytes)') % (before, after, moved))
    if writes_stack(st['insn']):
        out.append(_('%s writes to the stack, at an offset from rsp') % insn)
    if rsp_saved_to:
        out.append(_('rsp 0x%x saved in %s') % (before, rsp_saved_to))
    gs = st.get('gs_base')
    if gs:
        out.append(_('%s: gs_base 0x%x → 0x%x') % (insn, gs['before'], gs['after']))
    if cs and (cs[0] & 3) != (cs[1] & 3):
        out.append(_('privilege level %d → %d (cs 0x%x → 0x%x)') % (
            cs[0] & 3, cs[1] & 3, cs[0], cs[1]))
    if cr3 and cr3[0] != cr3[1]:
        out.append(_('cr3 0x%x → 0x%x: other page tables') % cr3)
    return out


def slots(fields, base, rsp, read, steps, cpu_words=()):
    """struct pt_regs being built at BASE, slot by slot, highest first (the
    order the entry fills them): {'offset', 'field', 'addr', 'filled' (at
    or above RSP), 'value' (READ(addr, size), filled slots only), 'step'
    (the index in STEPS of the last push that wrote it, or None), 'cpu'
    (in CPU_WORDS: pushed by the CPU itself)}.  FIELDS as
    kernel.struct_fields() gives them: (name, offset, size)."""
    writer = {}
    for i, st in enumerate(steps):
        if st.get('push'):
            writer[st['push']['addr']] = i
    out = []
    for name, off, size in sorted(fields, key=lambda f: -f[1]):
        addr = base + off
        filled = addr >= rsp
        out.append({'offset': off, 'field': name, 'addr': addr, 'size': size, 'filled': filled,
                    'value': read(addr, size) if filled else None,
                    'step': writer.get(addr), 'cpu': addr in cpu_words})
    return out


def slot_lines(rows, steps):
    """lab-regs' table of ROWS (slots()) as lines; STEPS for the writer."""
    head = '%-7s  %-8s  %-7s  %-18s  %s' % ('+' + _('offset'), _('field'), _('state'),
                                           _('value'), _('written by'))
    lines = [head]
    for r in rows:
        if r['step'] is not None:
            st = steps[r['step']]
            by = '#%d 0x%x %s' % (r['step'], st['pc'], normal(st['insn']))
        elif r['cpu']:
            by = _('the CPU, at int $0x80')
        else:
            by = ''
        lines.append(('%7s  %-8s  %-7s  %-18s  %s' % (
            '+%d' % r['offset'], r['field'], _('filled') if r['filled'] else _('empty'),
            '0x%x' % r['value'] if r['filled'] else '', by)).rstrip())
    return lines
