# 简体中文: the reports in Simplified Chinese, in the words the course's
# students and TAs use (系统调用, 内核栈, 压栈, 用户态/内核态).  Each
# English message (lang/__init__.py) maps to its translation; a
# translation keeps the message's %-specifiers in their order.
TAG = 'zh-CN'

MESSAGES = {
    # abi.py: why each register and pt_regs field is there
    'system call number': '系统调用号',
    'argument 1': '参数 1',
    'argument 2': '参数 2',
    'argument 3': '参数 3',
    'argument 4': '参数 4',
    'argument 5': '参数 5',
    'argument 6': '参数 6',
    'callee-saved user register': '用户态的被调用者保存寄存器',
    'return value (-ENOSYS until the handler runs)': '返回值（处理函数运行前为 -ENOSYS）',
    'user code segment selector': '用户态代码段选择子',
    'user stack segment selector': '用户态栈段选择子',
    'user frame pointer (callee-saved)': '用户态帧指针（被调用者保存）',
    'user RFLAGS, saved there by the syscall instruction': '用户态 RFLAGS，由 syscall 指令保存在此',
    'argument 4 (rcx is taken by syscall)': '参数 4（rcx 已被 syscall 占用）',
    'user return address, saved there by the syscall instruction':
        '用户态返回地址，由 syscall 指令保存在此',
    'user instruction pointer to return to (from rcx)': '返回用户态时的指令指针（来自 rcx）',
    'user RFLAGS (from r11)': '用户态 RFLAGS（来自 r11）',
    'user stack pointer (saved by the entry code)': '用户栈指针（由入口代码保存）',
    'argument 1 (ebx)': '参数 1（ebx）',
    'argument 2 (ecx)': '参数 2（ecx）',
    'argument 3 (edx)': '参数 3（edx）',
    'argument 4 (esi)': '参数 4（esi）',
    'argument 5 (edi)': '参数 5（edi）',
    'argument 6 (ebp)': '参数 6（ebp）',
    'not an i386 register: saved, then cleared': '不是 i386 的寄存器：先保存，再清零',
    'not an i386 register': '不是 i386 的寄存器',
    'user eip to return to, pushed by the CPU at int $0x80':
        '返回用户态时的 eip，执行 int $0x80 时由 CPU 压栈',
    'user EFLAGS, pushed by the CPU': '用户态 EFLAGS，由 CPU 压栈',
    'user esp, pushed by the CPU': '用户态 esp，由 CPU 压栈',
    'user code segment selector, pushed by the CPU': '用户态代码段选择子，由 CPU 压栈',
    'user stack segment selector, pushed by the CPU': '用户态栈段选择子，由 CPU 压栈',

    # sockets.py, timeline.py, trace.py: prose a capture holds
    'not a socket': '不是套接字',
    'fd out of range': 'fd 超出范围',
    'no open file': '没有打开的文件',
    'the guest powered off': '客户机已关机',
    'another executable': '其他可执行文件',
    'another system call number': '其他系统调用号',
    'another socketcall call': '其他 socketcall 调用',
    'not a %s instruction': '不是 %s 指令',
    'hardware breakpoint on the %s instruction(s) of the program, accepted when current task '
    'runs the program (mm->exe_file), %s == nr%s and the instruction is %s':
        '在程序的 %s 指令上设硬件断点；仅当当前进程运行的是该程序（mm->exe_file）、'
        '%s == nr%s 且该指令是 %s 时才接受',

    # html.py: the stepper's controls
    'Previous': '上一步',
    'Next': '下一步',
    'step': '步骤',
    'Step %s of %s': '第 %s 步，共 %s 步',
    'keys: %s': '按键：%s',

    # diagrams.py
    'struct pt_regs on the kernel stack': '内核栈上的 struct pt_regs',
    'the stack growing push by push': '逐次压栈时栈的增长',
    'sequence of socket calls': '套接字调用的时序',
    'push number; dark: the slot written by that push, red: rsp after it':
        '上方数字为压栈序号；深色：该次压栈写入的槽位，红线：压栈后的 rsp',
    '%s = top of the kernel stack (higher addresses)': '%s = 内核栈顶（高地址）',
    'rsp = %s at call %s: &pt_regs (lower addresses)': 'rsp = %s（call %s 时）：&pt_regs（低地址）',

    # doc.py: the result of a check
    'yes': '是',
    'NO': '否',

    # timeline_model.py
    'still in the kernel': '仍在内核中',
    't (ms)': '时间（ms）',
    'program (step)': '程序（步骤）',
    'system call': '系统调用',
    'call': '调用',
    'returned': '返回值',
    'dispatched to (read from the live socket)': '分发到（读自运行中的套接字）',
    'Kernel %s, %s; programs: %s. The scenario %s (status %s on the console). '
    'Breakpoints on the handlers of %d socket system calls; stops in other programs '
    '(boot, BusyBox), resumed at once: %d.':
        '内核 %s，%s；程序：%s。场景%s（控制台上的状态为 %s）。'
        '在 %d 个套接字系统调用的处理函数上设了断点；在其他程序（启动过程、BusyBox）中的停止'
        '立即恢复执行，共 %d 次。',
    'Scenario %s: %s': '场景 %s：%s',
    'Protocol dispatch side by side': '协议分发对照',
    'Socket system calls, scenario by scenario': '套接字系统调用（逐个场景）',
    'Scenario %s': '场景 %s',
    'Sequence': '时序图',
    'socketcall call values in order: %s.': '依次出现的 socketcall 调用号：%s。',
    'Calls still in the kernel when the recording ended (%s): %s.':
        '记录结束时（%s）仍在内核中的调用：%s。',
    "The same calls reach different implementations: struct socket's proto_ops and "
    "struct sock's proto, read from the live sockets.":
        '同一个调用会到达不同的实现：struct socket 的 proto_ops 与 struct sock 的 proto，'
        '均读自运行中的套接字。',
    'No timeline: %s': '没有时间线：%s',
    'finished': '已正常结束',
    'did not finish cleanly': '未能正常结束',

    # trace_model.py: the sections, in order
    'System call %s (%d) through Linux %s': '系统调用 %s（%d 号）在 Linux %s 中的执行过程',
    '1. Setup': '1. 实验环境',
    'kernel': '内核',
    'config': '配置',
    'accelerator': '加速器',
    'scenario': '场景',
    'program': '程序',
    '%s (in the guest: %s), function %s at %s': '%s（客户机中为 %s），函数 %s 位于 %s',
    'ABI': 'ABI',
    'line %s: %s': '第 %s 行：%s',
    'at %s holds %s = %s': '位于 %s，内容为 %s = %s',
    '%d bytes, %d fields (from DWARF)': '%d 字节，%d 个字段（来自 DWARF）',
    'Filter: %s. Stops at the breakpoints %s: %d, rejected: %d.':
        '过滤方式：%s。在断点 %s 处停下 %d 次，其中拒绝 %d 次。',
    'Filter: %s. Stops at the breakpoint %s: %d, rejected: %d.':
        '过滤方式：%s。在断点 %s 处停下 %d 次，其中拒绝 %d 次。',
    'rejected: %s (pid %d, executable %s) at %s with rax = %d: %s':
        '拒绝：%s（pid %d，可执行文件 %s）位于 %s，rax = %d：%s',

    '2. User side: the %s instruction': '2. 用户态：%s 指令',
    'Task %s (pid %d, executable %s) stopped at %s = %s: %s; '
    'the kernel will return to %s = %s.':
        '进程 %s（pid %d，可执行文件 %s）停在 %s = %s：%s；内核将返回到 %s = %s。',
    'register': '寄存器',
    'value': '值',
    'role': '作用',
    'user stack pointer': '用户栈指针',
    'user code selector: GDT entry %d, DPL %d, 64-bit %s':
        '用户态代码段选择子：GDT 第 %d 项，DPL %d，64 位代码段：%s',
    'True': '是',
    'False': '否',
    'user stack selector: GDT entry %d, DPL %d': '用户态栈段选择子：GDT 第 %d 项，DPL %d',
    'socketcall: call = %d (%s in %s) = %s; its arguments are not in registers but in user '
    'memory at %s, read as %d-byte words (nas[] of net/compat.c): %s.':
        'socketcall：call = %d（%s，定义于 %s）= %s；它的参数不在寄存器中，而在用户内存 %s 处，'
        '按 %d 字节一个字读取（net/compat.c 的 nas[]）：%s。',
    'The call as the kernel will decode it: %s.': '内核将这样解读这次调用：%s。',
    '%s (family %d)': '%s（协议族 %d）',
    ', %s port %d': '，%s 端口 %d',
    'Arguments decoded: fd = %d; addr = %s -> %s (read from user memory: %s); addrlen = %d.':
        '解码后的参数：fd = %d；addr = %s -> %s（读自用户内存：%s）；addrlen = %d。',

    '3. Entry: %s to %s, instruction by instruction': '3. 入口：从 %s 到 %s，逐条指令',
    'rdi = %s (the number) and rsi = rsp = %s (struct pt_regs *)':
        'rdi = %s（系统调用号），rsi = rsp = %s（struct pt_regs *）',
    'The stack growing push by push': '逐次压栈时栈的增长',
    'struct pt_regs as built': '构建完成的 struct pt_regs',
    'address': '地址',
    'symbol': '符号',
    'instruction': '指令',
    'line': '行',
    'source': '源代码',
    'stack': '栈操作',
    'user: %s': '用户态：%s',
    'Then at %s (%s): %s with %s.': '随后在 %s（%s）：%s，参数为 %s。',
    'Step 0, %s: the CPU itself switched rsp from the user stack %s to %s, the top of the '
    'entry stack (TSS.sp0 = %s: %s), and pushed five words there, the tail of a struct '
    'pt_regs: %s. ':
        '第 0 步，%s：CPU 自己把 rsp 从用户栈 %s 切换到 %s，即入口栈的栈顶（TSS.sp0 = %s：%s），'
        '并在那里压入五个字，即 struct pt_regs 的末尾部分：%s。',
    'the same': '两者相同',
    'NOT the same': '两者不同',
    'No switch from a user stack to a kernel stack was seen.': '没有观察到从用户栈到内核栈的切换。',
    'The user stack pointer %s is the word the CPU pushed (read back: %s). ':
        '用户栈指针 %s 就是 CPU 压入的那个字（读回：%s）。',
    'Step %d saves the user stack pointer %s in %s (read back: %s). ':
        '第 %d 步把用户栈指针 %s 保存到 %s（读回：%s）。',
    "Step %d switches stacks: rsp = %s, the top of the task's kernel stack":
        '第 %d 步切换栈：rsp = %s，即该进程内核栈的栈顶',
    ' read from %s': '，读自 %s',
    '; struct pt_regs is built downwards from there.': '；struct pt_regs 从这里向下构建。',

    '4. struct pt_regs at %s (at %s)': '4. %s 时的 struct pt_regs（位于 %s）',
    'offset': '偏移',
    'field': '字段',
    'meaning': '含义',

    '5. Dispatch': '5. 分发',
    '%s calls %s[%d] = %s (read from guest memory at %s).':
        '%s 调用 %s[%d] = %s（读自客户机内存 %s）。',
    'This kernel was built without %s: the entry is an -ENOSYS stub of %s, '
    'not the call, and the trace below shows the stub.':
        '本内核编译时未包含 %s：该表项是 %s 中返回 -ENOSYS 的桩函数，而不是这个系统调用本身，'
        '下面跟踪到的也是这个桩函数。',
    'The call is defined in %s, which %s builds: set it in the kernel '
    'configuration to trace the real call.':
        '该系统调用定义在 %s 中，由 %s 控制编译：在内核配置中打开它，才能跟踪真正的调用。',
    'The call is defined in %s.': '该系统调用定义在 %s 中。',
    'Incomplete trace': '跟踪不完整',
    "time limit reached in phase '%s'": "在阶段 '%s' 达到时间限制",
    "the return seen is not this call's: %s": '看到的返回不属于这个系统调用：%s',
    'The task sleeps: it calls %s and gives up the CPU until something wakes it.':
        '任务进入睡眠：它调用 %s 让出 CPU，直到被唤醒。',
    'The handler has returned (rax = %d) to %s. On the way back to user mode '
    '%s calls %s: the call is done, but another task runs before this one returns.':
        '处理函数已经返回（rax = %d）到 %s。在返回用户态的路上，%s 调用了 %s：'
        '系统调用本身已完成，但在它返回之前先让另一个任务运行。',
    '6. No return': '6. 没有返回',
    'On the way back to user mode the kernel delivered signal %d (%s): it saved '
    'the call\'s user state in a signal frame (%s) at %s on the user stack, '
    'with ip = %s and the call\'s return value %s = %s, and set pt_regs so '
    'that the task runs the handler at %s first. The handler\'s return '
    '(sigreturn) restores that frame: only then does the program see the '
    'call return %s.':
        '在返回用户态的路上，内核递送了信号 %d（%s）：它把这个系统调用的用户态现场保存在信号帧（%s）中，'
        '位于用户栈上 %s 处，其中 ip = %s，系统调用的返回值 %s = %s，并设置 pt_regs，'
        '让任务先运行 %s 处的信号处理函数。处理函数返回时（sigreturn）恢复这个帧：'
        '直到那时程序才看到这个系统调用返回 %s。',
    '%s returns twice. The child, pid %d, starts at %s with its own struct pt_regs '
    'at %s, on its own kernel stack: a copy of the parent\'s, which differs only in:':
        '%s 返回两次。子进程（pid %d）从 %s 开始运行，有它自己的 struct pt_regs，位于 %s，'
        '在它自己的内核栈上：它是父进程 pt_regs 的副本，只有以下不同：',
    'parent (at the entry)': '父进程（入口处）',
    'child': '子进程',
    'The child first returns to user mode at %s = %s with rax = %d and '
    'rsp = %s: the instruction after the same %s, where the parent got %s.':
        '子进程第一次返回用户态是在 %s = %s，rax = %d，rsp = %s：就是同一条 %s 之后的那条指令，'
        '而父进程在那里得到的是 %s。',
    '7. The child: the second return': '7. 子进程：第二次返回',
    '6. Return to a new user frame': '6. 返回到新的用户态现场',
    'The call rewrote the user frame it returns to: pt_regs ip = %s, sp = %s, '
    'cs = %s, ss = %s, where the call was made with the next instruction at %s '
    'and rsp = %s. The exit path was not stepped; the task was followed to '
    'where it ran next.':
        '这个系统调用改写了它要返回的用户态现场：pt_regs 中 ip = %s，sp = %s，cs = %s，ss = %s，'
        '而发起调用时下一条指令在 %s，rsp = %s。没有单步执行返回路径，而是跟踪该任务到它接下来运行的地方。',
    'The task next ran in user mode at %s (rsp = %s, cs = %s, ss = %s), running '
    '%s: not the instruction after the call.':
        '该任务接下来在用户态 %s 处运行（rsp = %s，cs = %s，ss = %s），运行的是 %s：不是调用之后的那条指令。',
    'killed by signal %d (%s)': '被信号 %d（%s）杀死',
    'with exit status %d': '退出状态为 %d',
    'The task never comes back from this call: it exits, ': '该任务不会从这个系统调用返回：它退出了，',
    ', in %s(%s) (the breakpoints above show who called it).': '，在 %s(%s) 中（上面的断点显示了调用者）。',
    '%s then calls %s for the last time: the task is dead, its kernel stack is '
    'freed, and there is no %s for this call.':
        '随后 %s 最后一次调用 %s：任务已经死亡，它的内核栈被释放，这个系统调用没有 %s。',
    'The trace did not finish: %s.': '跟踪没有完成：%s。',
    'The sections below are what it saw before that; they do not show the whole '
    'call, and no conclusion about the call should be drawn from them alone.':
        '以下各节只是在此之前看到的内容，并不是这个系统调用的全过程，不能仅凭它们对该调用下结论。',
    'Breakpoint hit at %s (%s):': '在 %s 处命中断点（%s）：',
    'The socket, read from the live task: fd %d -> struct file %s (f_op = %s) -> '
    'struct socket %s (%s, type %d) -> ops = %s, ops->%s = %s; '
    'sk %s (family %d) -> sk_prot = %s ("%s"), ':
        '从运行中的进程读出的套接字：fd %d -> struct file %s（f_op = %s）-> '
        'struct socket %s（%s，类型 %d）-> ops = %s，ops->%s = %s；'
        'sk %s（协议族 %d）-> sk_prot = %s（"%s"），',
    'sk_prot->%s = %s': 'sk_prot->%s = %s',
    'sk_prot->%s is NULL': 'sk_prot->%s 为 NULL',
    '.': '。',
    'Not reached: %s.': '未到达：%s。',

    '6. Return': '6. 返回',
    '%s returned to %s with rsp = %s; regs->ax = %s (%d).':
        '%s 返回到 %s，此时 rsp = %s；regs->ax = %s（%d）。',
    'Back in user mode through %s at %s = %s, rsp = %s, rax = %d, cs = %s, ss = %s.':
        '经 %s 回到用户态，位于 %s = %s，rsp = %s，rax = %d，cs = %s，ss = %s。',
    'check': '检查项',
    'result': '结果',
    'kernel rsp after the C entry returns = rsp at the call (stack balanced)':
        'C 入口函数返回后的内核 rsp = 调用时的 rsp（栈平衡）',
    'user rip restored (the instruction after %s)': '用户态 rip 已恢复（%s 的下一条指令）',
    'user rsp restored': '用户态 rsp 已恢复',
    'user rax = regs->ax': '用户态 rax = regs->ax',
    'pt_regs sat at the top of the kernel stack (rsp at the call + sizeof = top)':
        'pt_regs 位于内核栈顶（调用时的 rsp + sizeof = 栈顶）',
    'pops read back the pushed words': '出栈读回的正是压栈的字',
    '%s (%d checked, %d different)': '%s（检查 %d 个，不同 %d 个）',

    '7. The two ways in, side by side': '7. 两种进入内核的方式对照',
    'The x86-64 trace failed: %s': 'x86-64 的跟踪失败：%s',
    'The same call traced twice on this kernel: the x86-64 program (%s) '
    'and the i386 one (%s).':
        '在同一个内核上把同一个调用跟踪两次：x86-64 程序（%s）与 i386 程序（%s）。',
    '%s at %s': '%s，位于 %s',
    'entry point': '入口',
    'what the CPU saves by itself': 'CPU 自己保存的内容',
    '%d words on the entry stack (TSS.sp0 %s): %s': '入口栈上的 %d 个字（TSS.sp0 %s）：%s',
    'nothing on a stack: rcx = the return address, r11 = rflags '
    '(pt_regs cx = %s, r11 = %s; rsp unchanged by the instruction)':
        '不压栈：rcx = 返回地址，r11 = rflags（pt_regs cx = %s，r11 = %s；该指令不改变 rsp）',
    'the user rsp': '用户态 rsp',
    'saved by the entry code in %s': '由入口代码保存到 %s',
    'pushed by the CPU': '由 CPU 压栈',
    'switch to the task stack': '切换到进程的内核栈',
    'pt_regs pushes by the entry code': '入口代码对 pt_regs 的压栈次数',
    "%d (the first %d copy the CPU's frame and the %d words pushed on the entry stack)":
        '%d（前 %d 次复制 CPU 压入的栈帧和入口栈上压入的 %d 个字）',
    'step %d: rsp = %s from %s': '第 %d 步：rsp = %s，来自 %s',
    'the number': '系统调用号',
    'arguments 1-3': '参数 1-3',
    'C entry, called with pt_regs': 'C 入口函数（以 pt_regs 为参数调用）',
    'handler table': '处理函数表',
    'breakpoints hit': '命中的断点',
    'instructions stepped: entry / exit': '单步执行的指令数：入口 / 出口',
    'back to user mode': '返回用户态',

    # explain.py, interactive.py: the interactive session's commands
    # (lab-stop, lab-step, lab-regs, lab-where, lab-report)
    'the user stack': '用户栈',
    'the kernel stack': '内核栈',
    'enters the kernel: the CPU saves the user rip in rcx and rflags in r11, loads cs and rip '
    'for ring 0 from its MSRs (rip becomes entry_SYSCALL_64); rsp is left as it was, still the '
    'user stack':
        '进入内核：CPU 把用户态 rip 存入 rcx、rflags 存入 r11，从 MSR 载入 0 环的 cs 和 rip'
        '（rip 变为 entry_SYSCALL_64）；rsp 不变，仍是用户栈',
    'enters the kernel through interrupt vector 0x80: the CPU switches to the entry stack and '
    'pushes the user ss, sp, flags, cs and ip on it':
        '经中断向量 0x80 进入内核：CPU 切换到入口栈，并把用户态的 ss、sp、flags、cs 和 ip 压栈',
    "swaps gs_base with the saved kernel GS base (MSR_KERNEL_GS_BASE): from here, %gs "
    "addresses this CPU's per-cpu variables":
        '把 gs_base 与保存的内核 GS 基址（MSR_KERNEL_GS_BASE）交换：此后 %gs 指向本 CPU 的 per-cpu 变量',
    'returns: pops the return address at rsp into rip': '返回：把 rsp 处的返回地址弹出到 rip',
    'returns to user mode: rip from rcx, rflags from r11, cs and ss for ring 3; rsp must '
    'already be the user stack':
        '返回用户态：rip 取自 rcx，rflags 取自 r11，cs 和 ss 换成 3 环的；rsp 此前须已是用户栈',
    'returns from the kernel: pops rip, cs, rflags, rsp and ss':
        '从内核返回：依次弹出 rip、cs、rflags、rsp 和 ss',
    'does nothing (padding, or a place patched at boot)': '什么也不做（填充，或启动时打补丁的位置）',
    'disables interrupts': '关中断',
    'enables interrupts (after the next instruction)': '开中断（在下一条指令之后生效）',
    '%s.': '%s。',
    'pushes %s onto the stack, outside the struct pt_regs being built':
        '把 %s 压栈，位于正在构建的 struct pt_regs 之外',
    'pops the word at rsp into %s': '把 rsp 处的字弹出到 %s',
    'switches the stack: rsp is loaded from %s': '切换栈：从 %s 载入 rsp',
    'saves the stack pointer in %s': '把栈指针保存到 %s',
    'loads cr3 from %s: the CPU switches to another set of page tables':
        '从 %s 载入 cr3：CPU 换用另一套页表',
    'reads cr3 (the page tables in use) into %s': '把 cr3（当前页表）读入 %s',
    'copies %s into %s': '把 %s 复制到 %s',
    'clears %s (a register xor itself is 0)': '清零 %s（寄存器与自身异或为 0）',
    'xors %s into %s': '把 %s 异或到 %s',
    'moves the stack pointer: rsp = rsp %s %s': '移动栈指针：rsp = rsp %s %s',
    'loads the address %s into %s (no memory is read)': '把地址 %s 载入 %s（不读内存）',
    'compares %s with %s: only the flags change': '比较 %s 与 %s：只改变标志位',
    'calls %s: pushes the return address and jumps there': '调用 %s：压入返回地址并跳转过去',
    'jumps to %s': '跳转到 %s',
    'jumps to %s when its condition holds, else goes on to the next instruction':
        '条件成立时跳转到 %s，否则继续执行下一条指令',
    'state': '状态',
    'written by': '写入者',
    'pushes %s onto the entry stack, into the word that is pt_regs->%s (+%d) of the frame '
    'laid out there':
        '把 %s 压入入口栈，即其上所布置的帧中 pt_regs->%s（+%d）那个字',
    'pushes %s onto the kernel stack: it fills pt_regs->%s (+%d)':
        '把 %s 压入内核栈：填入 pt_regs->%s（+%d）',
    'pushes %s onto the user stack: no struct pt_regs is being built there':
        '把 %s 压入用户栈：那里没有在构建 struct pt_regs',
    'pops pt_regs->%s (+%d) into %s': '把 pt_regs->%s（+%d）弹出到 %s',
    'calls %s, the C part of the system call entry: the trace follows it to the handler and '
    'back':
        '调用 %s，即系统调用入口的 C 语言部分：跟踪会随它到处理函数再返回',
    '%s writes to the stack, at an offset from rsp': '%s 写栈：相对 rsp 偏移处',
    'rsp 0x%x saved in %s': 'rsp 0x%x 保存到 %s',
    '%s: gs_base 0x%x → 0x%x': '%s：gs_base 0x%x → 0x%x',
    'privilege level %d → %d (cs 0x%x → 0x%x)': '特权级 %d → %d（cs 0x%x → 0x%x）',
    'cr3 0x%x → 0x%x: other page tables': 'cr3 0x%x → 0x%x：换了页表',
    'the CPU, at int $0x80': 'CPU（执行 int $0x80 时）',
    '%s → pt_regs->%s (+%d) on the entry stack = 0x%x': '%s → 入口栈上的 pt_regs->%s（+%d）= 0x%x',
    '%s ← pt_regs->%s (+%d) = 0x%x': '%s ← pt_regs->%s（+%d）= 0x%x',
    '%s ← 0x%x from the stack at 0x%x': '%s ← 0x%x，取自栈上 0x%x 处',
    'rsp 0x%x → 0x%x (%s)': 'rsp 0x%x → 0x%x（%s）',
    'rsp 0x%x → 0x%x (%+d bytes)': 'rsp 0x%x → 0x%x（%+d 字节）',
    '%s → pt_regs->%s (+%d) = 0x%x': '%s → pt_regs->%s（+%d）= 0x%x',
    '%s → the user stack at 0x%x = 0x%x (no struct pt_regs is being built yet)':
        '%s → 用户栈 0x%x 处 = 0x%x（尚未开始构建 struct pt_regs）',
    '%s → the stack at 0x%x = 0x%x (outside struct pt_regs)':
        '%s → 栈上 0x%x 处 = 0x%x（在 struct pt_regs 之外）',
    'filled': '已填',
    'empty': '空',
    'no lab session: labctl trace SYSCALL --interactive starts one':
        '没有实验会话：请用 labctl trace SYSCALL --interactive 启动',
    'the lab session is over: lab-report followed the call back to user mode; quit GDB (labctl '
    'then stops the guest)':
        '实验会话已结束：lab-report 已把这次调用跟踪到返回用户态；请退出 GDB（labctl 随后会停止客户机）',
    'Commands: lab-step [N] steps to the next instruction that changes the stack or the '
    'privilege level; lab-regs shows struct pt_regs as built so far; lab-where explains the '
    'current instruction; lab-report writes the report from here on.  help lab-step (and the '
    'others) says more.':
        '命令：lab-step [N] 单步到下一条改变栈或特权级的指令；lab-regs 显示目前已构建的 '
        'struct pt_regs；lab-where 解释当前指令；lab-report 从这里起写出报告。'
        '详见 help lab-step（其他命令同理）。',
    'the guest was moved outside lab-step (si, ni, continue...): pc is 0x%x, lab-step left it '
    'at 0x%x; the recorded steps no longer lead here, so lab-step and lab-report cannot go on '
    '(quit and start labctl trace --interactive again)':
        '客户机在 lab-step 之外被移动过（si、ni、continue 等）：pc 为 0x%x，lab-step 停在 0x%x；'
        '已记录的步骤接不上这里，lab-step 和 lab-report 无法继续'
        '（请退出并重新运行 labctl trace --interactive）',
    'Stopped at %s: the program %s (pid %d) is about to make system call %d (%s).':
        '停在 %s：程序 %s（pid %d）即将发起系统调用 %d（%s）。',
    '  (%d instruction(s) changing none of these: %s)': '  （%d 条指令未改变以上任何一项：%s）',
    '(still on the user stack: no struct pt_regs is being built yet)':
        '（仍在用户栈上：尚未开始构建 struct pt_regs）',
    'struct pt_regs at 0x%x (%d bytes, up to 0x%x), rsp = 0x%x: %d of %d slots filled':
        'struct pt_regs 位于 0x%x（%d 字节，到 0x%x 为止），rsp = 0x%x：%d / %d 个槽已填',
    'Following system call %d (%s) from here to its return to user mode; the %d step(s) '
    'lab-step recorded are the beginning of the entry.':
        '从这里跟踪系统调用 %d（%s）直到返回用户态；lab-step 记录的 %d 步是入口的开头。',
    'Capture written to %s.': '采集数据已写入 %s。',
    'usage: lab-step [N], N a count of 1 or more': '用法：lab-step [N]，N 为不小于 1 的次数',
    'The entry is done: the next instruction calls %s with struct pt_regs complete at rsp = '
    '0x%x (rdi = 0x%x, rsi = 0x%x).  lab-regs shows it; lab-report follows the call to its '
    'handler and back to user mode.':
        '入口代码已完成：下一条指令调用 %s，struct pt_regs 已在 rsp = 0x%x 处构建完整'
        '（rdi = 0x%x，rsi = 0x%x）。lab-regs 可查看；lab-report 会随调用到处理函数并返回用户态。',
    'struct pt_regs is built below the top of the kernel stack: at 0x%x = 0x%x - %d '
    '(sizeof(struct pt_regs))':
        'struct pt_regs 构建在内核栈顶之下：位于 0x%x = 0x%x - %d（sizeof(struct pt_regs)）',
    'No struct pt_regs is being built yet: rsp = 0x%x is still %s; the entry builds it once '
    'it has switched to the kernel stack (lab-step).':
        '尚未开始构建 struct pt_regs：rsp = 0x%x 仍在%s上；入口代码切换到内核栈后才构建它（lab-step）。',
    "(no kernel source line: this is the program's code)": '（没有内核源码行：这是程序自己的代码）',
    '(no source line in the debug information)': '（调试信息中没有源码行）',
    'No sentence for %s here: lab-step shows what it changes.':
        '这里没有关于 %s 的说明：lab-step 会显示它改变了什么。',
    'Report written to %s.': '报告已写入 %s。',
    'a lab session is already running: lab-stop starts one per GDB':
        '实验会话已在进行：每个 GDB 中 lab-stop 只能启动一个',
}
