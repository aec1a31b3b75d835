# Reading the running kernel: types from DWARF, per-cpu data, the current
# task, symbols.  Nothing here is a typed-in offset or address.
from contextlib import contextmanager

import gdb

from labctl import dispatch, explain, lines, memo

# The first non-canonical address: user space is below it, the kernel above.
USER_TOP = 0x0000800000000000

_ulong = None


def ulong():
    global _ulong
    if _ulong is None:
        _ulong = gdb.lookup_type('unsigned long')
    return _ulong


def u64(value):
    """A gdb.Value (or register) as a Python int, unsigned."""
    return int(value.cast(ulong())) & 0xffffffffffffffff


def reg(name):
    # int(), not a cast: eflags has a flags type that does not cast
    return int(gdb.parse_and_eval('$' + name)) & 0xffffffffffffffff


def struct_fields(type_name):
    """[(name, offset, size)] of a struct, from DWARF (anonymous unions are
    flattened to their first named member)."""
    t = gdb.lookup_type(type_name)
    out = []
    for f in t.fields():
        off = f.bitpos // 8
        if f.name:
            out.append((f.name, off, f.type.sizeof))
        else:
            sub = f.type.strip_typedefs().fields()
            if sub:
                out.append((sub[0].name, off, sub[0].type.sizeof))
    return out


_per_cpu = {}


def per_cpu(var, cpu=0):
    """The address of per-cpu variable VAR on CPU, as the kernel's
    scripts/gdb/linux/cpus.py computes it: &var + __per_cpu_offset[cpu]
    on SMP kernels, &var on UP ones.  Called once the kernel has booted
    (the offsets are fixed by then), and cached: evaluating the expressions
    costs milliseconds per breakpoint stop."""
    if (var, cpu) not in _per_cpu:
        addr = gdb.parse_and_eval('&' + var)
        # (a memory error is an error: under PTI's user page tables the
        # offsets are not mapped, and 0 would be a wrong address, cached)
        off = u64(gdb.parse_and_eval('__per_cpu_offset[%d]' % cpu)) \
            if has_variable('__per_cpu_offset') else 0
        _per_cpu[var, cpu] = (u64(addr) + off, addr.type)
    addr, ptr_type = _per_cpu[var, cpu]
    return gdb.Value(addr).cast(ptr_type)


def hot(name):
    """The address of per-cpu variable NAME (current_task, top_of_stack):
    Linux 6.2 gathered the hottest ones into struct pcpu_hot
    (asm/current.h), as the kernel's scripts/gdb/linux/cpus.py reads them;
    None when there is neither."""
    for expr in ('pcpu_hot.' + name, name):
        if has_variable(expr.split('.')[0]):
            return per_cpu(expr)
    return None


def has_variable(name):
    """Does vmlinux define the variable NAME?  (Asked instead of catching
    gdb.error: a memory error must not read as "no such variable".)"""
    return debug_symbol(name) is not None


# With page table isolation (PTI), user mode runs on page tables that map
# the entry code and little else of the kernel: the kernel's own for the
# same mm are the page before them, with the same PCID less its user bit
# (arch/x86/entry/calling.h: SWITCH_TO_KERNEL_CR3 clears PTI_USER_PGTABLE_BIT,
# PAGE_SHIFT, and PTI_USER_PCID_BIT, X86_CR3_PCID_BITS - 1).
PTI_USER_BITS = (1 << 12) | (1 << 11)


def kernel_page_tables():
    """Stopped under PTI's user page tables (in user mode, or in the entry
    before its cr3 switch), point cr3 at the kernel's for this mm, so that
    GDB can read the kernel's memory (QEMU's gdbstub reads through the CPU's
    cr3); the cr3 to put back, or None when there was nothing to do.  The
    guest must not run before restore_page_tables(): user code is not
    executable through the kernel's tables."""
    if kernel_readable():
        return None
    cr3 = reg('cr3')
    gdb.execute('set $cr3 = (unsigned long)0x%x' % (cr3 & ~PTI_USER_BITS), to_string=True)
    if not kernel_readable():
        restore_page_tables(cr3)
        raise gdb.GdbError('the kernel is not mapped in user mode (cr3 0x%x), nor with '
                           'cr3 0x%x: not the page tables of PTI' % (cr3, cr3 & ~PTI_USER_BITS))
    return cr3


_probe = []


def kernel_readable():
    """Can GDB read the kernel's data now?  init_task, in .data: PTI may
    leave the kernel's text and rodata mapped in the user's tables (without
    PCID), never its data."""
    if not _probe:
        _probe.append(u64(gdb.parse_and_eval('&init_task')))
    try:
        gdb.selected_inferior().read_memory(_probe[0], 1)
    except gdb.MemoryError:
        return False
    return True


def kernel_running():
    """Has the kernel finished booting (a guest restored from its saved
    state, stopped anywhere: under PTI's user page tables too), rather than
    being at its first instruction, paging off, where no kernel address
    reads?"""
    try:
        with kernel_mapped():
            return bool(gdb.parse_and_eval('system_state == SYSTEM_RUNNING'))
    except (gdb.error, gdb.GdbError):
        return False


def restore_page_tables(cr3):
    if cr3 is not None:
        gdb.execute('set $cr3 = (unsigned long)0x%x' % cr3, to_string=True)


@contextmanager
def kernel_mapped():
    """Reads of the kernel within, through its page tables where PTI's user
    tables are in use, cr3 put back after (kernel_page_tables())."""
    cr3 = kernel_page_tables()
    try:
        yield
    finally:
        restore_page_tables(cr3)


_current = []


def current_task():
    """The task running on cpu 0, whatever GS holds at this instant (user
    GS before swapgs, kernel GS after): read through the per-cpu offset."""
    if not _current:
        _current.append(hot('current_task'))
    return _current[0].dereference().dereference()


def task_id(task):
    """What tells one task from any other during a run: its task_struct
    address, pid and start time (ns since boot)."""
    return (u64(task.address), int(task['pid']), int(task['start_time']))


def tasks():
    """The guest's processes (thread group leaders) in init_task's `tasks`
    list, as the kernel's scripts/gdb/linux/tasks.py walks it."""
    init = gdb.parse_and_eval('&init_task')
    off = u64(gdb.parse_and_eval('&((struct task_struct *)0)->tasks'))
    t = init
    while True:
        t = gdb.Value(u64(t['tasks']['next']) - off).cast(init.type)
        if u64(t) == u64(init):
            return
        yield t.dereference()


def stack_top():
    """(the running CPU's top of the current task's kernel stack, the
    per-cpu variable that holds it): pcpu_hot.top_of_stack (6.2 on; 6.12
    here), the variable cpu_current_top_of_stack (6.1 here), or the TSS
    slot that 5.10's asm/processor.h names so (#define
    cpu_current_top_of_stack cpu_tss_rw.x86_tss.sp1)."""
    for name in ('pcpu_hot.top_of_stack', 'cpu_current_top_of_stack'):
        if has_variable(name.split('.')[0]):
            return u64(per_cpu(name).dereference()), name
    return u64(per_cpu('cpu_tss_rw')['x86_tss']['sp1']), 'cpu_tss_rw.x86_tss.sp1'


_stack_layout = []


def forget_boot():
    """Before another guest (lab-serve's next job): what was read of this
    one's boot (per-cpu offsets, the stack's layout) is not the next's."""
    _per_cpu.clear()
    _current.clear()
    _stack_layout.clear()


def task_pt_regs(task):
    """struct pt_regs of TASK: the user registers it entered the kernel
    with, at the top of its kernel stack.  The kernel's task_pt_regs() is a
    macro; its terms are read here, once a boot: the stack's size
    (init_stack is THREAD_SIZE bytes, linux/sched/task.h) and the padding
    above pt_regs, the same for every task, from where the running CPU's
    top of stack lies in the current task's stack."""
    if not _stack_layout:
        size = int(gdb.parse_and_eval('sizeof(init_stack)'))
        top, _name = stack_top()
        pad = u64(current_task()['stack']) + size - top
        _stack_layout[:] = [size - pad, gdb.lookup_type('struct pt_regs')]
    above, regs = _stack_layout
    addr = u64(task['stack']) + above - regs.sizeof
    return gdb.Value(addr).cast(regs.pointer()).dereference()


def task_comm(task):
    return task['comm'].string(length=16).split('\0')[0]


def task_exe_name(task):
    """Basename of the task's executable (mm->exe_file), or None."""
    mm = task['mm']
    if u64(mm) == 0:
        return None
    exe = mm['exe_file']
    if u64(exe) == 0:
        return None
    return exe['f_path']['dentry']['d_name']['name'].string()


def symbol(addr):
    """{'addr', 'symbol', 'offset', 'name'} for ADDR from vmlinux's symbols:
    name is 'sym' or 'sym+0xoff'."""
    out = {'addr': addr, 'symbol': None, 'offset': None, 'name': '0x%x' % addr}
    if addr == 0:
        return out
    text = gdb.execute('info symbol 0x%x' % addr, to_string=True).strip()
    if text.startswith('No symbol'):
        return out
    head = text.split(' in section ')[0]
    if ' + ' in head:
        sym, off = head.split(' + ')
        off = int(off)
    else:
        sym, off = head, 0
    out.update(symbol=sym, offset=off,
               name=sym if off == 0 else '%s+0x%x' % (sym, off))
    return out


def read_u64(addr):
    mem = gdb.selected_inferior().read_memory(addr, 8)
    return int.from_bytes(bytes(mem), 'little')


def read_bytes(addr, n):
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def insn(pc):
    """(text, length) of the instruction at PC, from live memory."""
    d = gdb.selected_inferior().architecture().disassemble(pc)[0]
    return d['asm'], d['length']


def function_insns(name):
    """[{'addr', 'asm'}] of function NAME, from live memory (the code the
    CPU runs, alternatives applied), or [] when vmlinux has no such function."""
    if not is_function(name):
        return []
    block = gdb.block_for_pc(u64(gdb.parse_and_eval('&' + name)))
    arch = gdb.selected_inferior().architecture()
    return [{'addr': d['addr'], 'asm': d['asm']}
            for d in arch.disassemble(block.start, block.end - 1)]


# The x86-64 calling convention's argument registers, in order.
ARG_REGS = ('rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9')


def arguments(name):
    """[(name, type)] of function NAME's parameters as DWARF declares them
    (do_syscall_64 took (nr, regs) in 5.x and (regs, nr) from 5.13 on)."""
    block = gdb.block_for_pc(u64(gdb.parse_and_eval('&' + name)))
    while block is not None and block.function is None:
        block = block.superblock
    if block is None:
        return []
    return [(s.name, c_name(s.type)) for s in block if s.is_argument]


def c_name(t):
    """Type T as C spells it ('struct pt_regs *'), whatever language GDB
    is in at the moment (in the entry's assembly, "pt_regs *")."""
    if t.code == gdb.TYPE_CODE_PTR:
        return c_name(t.target()) + ' *'
    if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) and t.tag:
        return '%s %s' % ('struct' if t.code == gdb.TYPE_CODE_STRUCT else 'union', t.tag)
    return t.name or str(t)


def function_code(name):
    """Function NAME as a dispatch.Code: its bounds, and a few of its
    instructions disassembled from live memory where asked; None when
    vmlinux has no such function."""
    if not is_function(name):
        return None
    block = gdb.block_for_pc(u64(gdb.parse_and_eval('&' + name)))
    arch = gdb.selected_inferior().architecture()
    return dispatch.Code(block.start, block.end, lambda addr, count: [
        {'addr': d['addr'], 'asm': d['asm']} for d in arch.disassemble(addr, count=count)])


def relative(path, source_root):
    """PATH relative to the kernel tree SOURCE_ROOT (net/socket.c), as the
    kernel's own tools print it; PATH itself when it lies elsewhere."""
    root = (source_root or '').rstrip('/')
    if root and path.startswith(root + '/'):
        return path[len(root) + 1:]
    return path


def source_line(pc, source_root):
    """{'file', 'line', 'text'} for PC from the DWARF line table, the text
    read from the kernel source tree."""
    sal = gdb.find_pc_line(pc)
    if sal.symtab is None or sal.line == 0:
        return None
    path = sal.symtab.fullname()
    text = None
    try:
        with open(path, errors='replace') as f:
            for i, line in enumerate(f, 1):
                if i == sal.line:
                    text = line.rstrip('\n')
                    break
    except OSError:
        pass
    return {'file': relative(path, source_root), 'line': sal.line, 'text': text}


def _blocks(pc):
    """PC's DWARF blocks, innermost first."""
    try:
        block = gdb.block_for_pc(pc)
    except RuntimeError:
        return
    while block is not None:
        yield block
        block = block.superblock


def own_line(pc, function):
    """(path, line) of FUNCTION's own code at PC, as `addr2line -i` gives
    it: where PC lies in a function inlined into FUNCTION, the line of
    FUNCTION that calls it (the inlined block's DW_AT_call_file/line, which
    GDB keeps as the inlined symbol's symtab and line); else the line-table
    row at PC, as libdw reads it (lines.py: GDB's can be a header's)."""
    inner = None
    for block in _blocks(pc):
        fn = block.function
        if fn is None:
            continue
        if fn.name == function:
            if inner is not None and inner.symtab:
                return inner.symtab.fullname(), inner.line
            break
        inner = fn
    row = lines.table(gdb.current_progspace().filename).row(pc)
    if row:
        return row
    sal = gdb.find_pc_line(pc)
    return (sal.symtab.fullname(), sal.line) if sal.symtab else (None, None)


def backtrace(source_root=None):
    """The kernel frames, newest first, down to the entry code (below it
    the unwinder reads user registers, not frames).  A caller's line is
    looked up at its return address - 1 (the call instruction); a frame
    that another was inlined into shares that frame's address."""
    frames = []
    f = gdb.newest_frame()
    lookup = f.pc()
    while f is not None and len(frames) < 32:
        if f.name() is None or f.pc() < USER_TOP:
            break
        path, line = own_line(lookup, f.name())
        # A caller's symbol is its call instruction's, as the kernel's %pB
        # prints it: a call to a noreturn function can be a function's last
        # instruction, and its return address the next function's first.
        sym = symbol(lookup)
        if sym['symbol'] and lookup != f.pc():
            sym['name'] = '%s+0x%x' % (sym['symbol'], sym['offset'] + f.pc() - lookup)
        frame = {'pc': f.pc(), 'function': f.name(), 'symbol': sym['name'],
                 'inline': f.type() == gdb.INLINE_FRAME,
                 'file': relative(path, source_root) if path else None,
                 'line': line or None}
        if not frame['inline'] and sym['symbol'] and sym['symbol'] != f.name():
            # Two names for one function (__x64_sys_getpid is an alias of
            # __do_sys_getpid), or DWARF and ELF disagree on where it starts.
            start = next((b.start for b in _blocks(lookup)
                          if b.function is not None and b.function.name == f.name()), None)
            frame['alias'] = start == lookup - sym['offset']
        frames.append(frame)
        newer_type = f.type()
        try:
            f = f.older()
        except gdb.error:
            break
        if f is not None and newer_type != gdb.INLINE_FRAME:
            lookup = f.pc() - 1 if newer_type == gdb.NORMAL_FRAME else f.pc()
    return frames


def gdt_descriptor(selector):
    """The GDT entry SELECTOR designates, decoded: DPL and the L (64-bit
    code) bit, read from cpu 0's gdt_page."""
    gdt = per_cpu('gdt_page')
    addr = u64(gdt) + (selector >> 3) * 8
    raw = read_u64(addr)
    return {'selector': selector, 'raw': '0x%016x' % raw,
            'dpl': (raw >> 45) & 3, 'long_mode': bool((raw >> 53) & 1),
            'code': bool((raw >> 43) & 1), 'present': bool((raw >> 47) & 1)}


def field_path(type_, offset):
    """'x86_tss.sp1' for byte OFFSET in a struct of TYPE, from DWARF; None
    when OFFSET does not start a scalar field."""
    t = type_.strip_typedefs()
    if t.code not in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
        return '' if offset == 0 else None
    for f in t.fields():
        start = f.bitpos // 8
        if start <= offset < start + f.type.sizeof:
            rest = field_path(f.type, offset - start)
            if rest is None:
                continue
            name = f.name or ''
            return name + ('.' + rest if rest and name else rest)
    return None


def describe(addr):
    """symbol() of ADDR, plus 'field': the member of the variable ADDR falls
    in ('cpu_tss_rw' + 0x14 -> 'x86_tss.sp2'), when DWARF knows it (kept
    in the kernel's memo: the variable's type costs a CU's expansion)."""
    key = '%x' % addr
    out = memo.get('describe', key)
    if out is not None:
        return dict(out)
    out = symbol(addr)
    if out['symbol'] and out['offset']:
        try:
            var_type = gdb.parse_and_eval(out['symbol']).type
        except gdb.error:   # no debug information for it
            var_type = None
        path = var_type and field_path(var_type, out['offset'])
        if path:
            out['field'] = path
            out['name'] = '%s.%s' % (out['symbol'], path)
    memo.put('describe', key, out)
    return dict(out)


def debug_symbol(name):
    """The DWARF symbol NAME of vmlinux, global or static, or None."""
    return gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)


def function_symbol(name):
    """The DWARF symbol of function NAME (not inlined away everywhere), or
    None."""
    sym = debug_symbol(name)
    return sym if sym is not None and sym.type is not None and \
        sym.type.code == gdb.TYPE_CODE_FUNC else None


def is_function(name):
    """Does vmlinux have a function NAME (not inlined away everywhere)?"""
    return function_symbol(name) is not None


def symbol_addr(name):
    """The address of symbol NAME (an assembly one too: int80_emulation,
    the retpoline thunks), or None when vmlinux has none."""
    try:
        return u64(gdb.parse_and_eval('&' + name))
    except gdb.error:
        return None


def has_symbol(name):
    return symbol_addr(name) is not None


def thunk_addr(reg):
    """The address of the retpoline thunk for REG, or None."""
    return symbol_addr('__x86_indirect_thunk_' + reg)


def operand_addresses(operand, insn):
    """(where DWARF names it, where to read it) for a memory operand INSN
    names absolutely or %rip-relative, and through %gs, per-cpu: the address
    is the variable's link address, an offset in this CPU's area at gs_base
    (`%gs:0x6014`; since 6.8 `%gs:0x...(%rip)`, GDB printing the address it
    computed).  None for any other operand."""
    per_cpu_area = operand.startswith('%gs:')
    at = explain.memory_address(operand[4:] if per_cpu_area else operand, insn)
    if at is None:
        return None
    return (at, reg('gs_base') + at) if per_cpu_area else (at, at)


def memory_name(insn):
    """The variable INSN's memory operand names, absolute, %rip-relative or
    per-cpu ('cpu_tss_rw.x86_tss.sp2'), or None."""
    for a in explain.parse(insn)[1]:
        addrs = operand_addresses(a, insn)
        if addrs is not None:
            try:
                d = describe(addrs[0])
            except gdb.error:
                return None
            return d['name'] if d['symbol'] else None
    return None


def memory_operand(insn, reg, source=False):
    """For `mov ADDR,REG` (source) or `mov REG,ADDR`, ADDR absolute,
    %rip-relative or per-cpu: ADDR described (the per-cpu slot the entry
    reads or writes; 'addr' where it is on this CPU), else None."""
    op, args = explain.parse(insn)
    if not op.startswith('mov') or len(args) != 2:
        return None
    addr, other = args if source else args[::-1]
    addrs = operand_addresses(addr, insn)
    if other != reg or addrs is None:
        return None
    out = describe(addrs[0])
    out['addr'] = addrs[1]
    return out
