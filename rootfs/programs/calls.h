/*
 * The default call of every x86-64 system call 0-99: what the generic
 * program (syscall.c, its one reader) does for `syscall NR` with no
 * arguments, so that the call does its real work the way a student would
 * write it, instead of failing early on six zeros.
 *
 *   CALL(NR, NAME, "ARGS", "EXPECT", "what the call then does")
 *
 * NR and NAME are those of arch/x86/entry/syscalls/syscall_64.tbl (the e2e
 * test tests/e2e/calls.sh checks them against the kernel's table).  ARGS is
 * the command line one would type (`syscall NR ARG...`), split at spaces:
 *
 *   INTEGER         decimal, 0x hex, 0 octal, negative
 *   NAME|NAME       constants of the C headers: O_RDWR|O_CREAT, SIGUSR1,
 *                   IPC_PRIVATE...; SOCKADDR_IN_LEN, INT_LEN and SIGSET_LEN
 *                   are sizeof(struct sockaddr_in), sizeof(int) and the
 *                   kernel's sigset_t (one unsigned long on x86-64)
 *   s:TEXT          a pointer to the string TEXT
 *   b:N             a pointer to N zeroed bytes (for the kernel to fill)
 *   i:N             a pointer to an int holding N (a socklen_t, an optval)
 *   path:file       "/tmp/lab.txt", (re)written with LAB_TEXT first
 *   path:new        "/tmp/lab.new", removed first (a name to create)
 *   path:dir        "/tmp/lab.dir", an empty directory
 *   path:link       "/tmp/lab.link", a symbolic link to lab.txt
 *   fd:file         /tmp/lab.txt (as path:file) open O_RDWR, at offset 0
 *   fd:new          /tmp/lab.new, empty, open O_RDWR
 *   fd:dir          the directory / open O_RDONLY|O_DIRECTORY
 *   fd:pipe-r       the read end of a pipe holding LAB_TEXT
 *   fd:pipe-w       the write end of an empty pipe
 *   fd:pipe-late    the read end of an empty pipe that a forked child
 *                   writes LAB_TEXT to after 200 ms
 *   fd:sock         a TCP socket, not bound (SO_REUSEADDR set)
 *   fd:bound        a TCP socket bound to 127.0.0.1:LAB_PORT
 *   fd:listen       a TCP socket listening on 127.0.0.1:LAB_PORT with one
 *                   connection (made by the program itself) waiting
 *   fd:conn         a connected TCP socket whose peer has sent LAB_TEXT
 *   fd:udp          a UDP socket bound to 127.0.0.1:LAB_PORT holding one
 *                   datagram (LAB_TEXT, sent to itself)
 *   addr:inet       a pointer to the sockaddr_in 127.0.0.1:LAB_PORT
 *   addr:server     the same, with a TCP socket listening there
 *   addr:map        a page of anonymous memory (mmap'd, written)
 *   addr:fmap       /tmp/lab.txt mapped MAP_SHARED, its first page written
 *   addr:shm        a SysV shared memory segment, attached
 *   brk:+N          the current program break plus N
 *   pid:self        getpid()
 *   pid:child       a forked child that sleeps 100 ms then exits with 7
 *   pollfd:pipe-late  a struct pollfd (POLLIN) for the read end of an empty
 *                   pipe that a forked child writes to after 200 ms
 *   fdset:pipe-late an fd_set holding such a pipe's read end
 *   nfds            the highest fd the arguments made, plus one
 *   tv:MS ts:MS     a struct timeval / timespec of MS milliseconds
 *   itv:MS          a struct itimerval firing once after MS milliseconds
 *   sigset:SIG      a kernel sigset_t holding signal SIG (e.g. SIGUSR1)
 *   act:handler     a kernel struct sigaction: a handler that prints the
 *                   signal, SA_RESTORER with the C library's restorer
 *   iov:N           N struct iovec of 8 bytes each, holding "lab-iov\n"
 *   msghdr:out      a struct msghdr whose one iovec holds LAB_TEXT
 *   msghdr:in       a struct msghdr whose one iovec is 64 zeroed bytes
 *   shm:id sem:id msq:id  a new SysV segment / one-semaphore set / queue
 *   msq:full        a new SysV message queue holding one message (type 1)
 *   msgbuf:TEXT     a struct msgbuf of type 1 holding TEXT
 *   sops:up         a struct sembuf adding 1 to semaphore 0
 *   argv:W:W...     a NULL-terminated argv of the words W
 * and, making no argument, a step of the setup:
 *   +alarm:MS       a SIGALRM handler (no SA_RESTART) and a one-shot timer
 *                   of MS milliseconds: what wakes a call that would sleep
 *   +handler:SIG    a handler for signal SIG that prints it
 *   +sigframe:RAX   lab_syscall runs on a stack holding a real signal frame
 *                   (of a SIGUSR2 sent to itself) whose rip, rsp, rax and rdi
 *                   are changed: rt_sigreturn resumes in lab_resumed(RAX)
 *
 * EXPECT, the outcome that a call made this way has on the lab kernel:
 *   >=0  >0  =N     the value `syscall NR returned VALUE` prints
 *   -ENAME          the call fails with this errno (as -errno)
 *   exit=N          the call does not return: the process exits with N
 *   signal=SIG      the call does not return: the process dies of SIG
 *   The fork-like calls return twice; the child _exits(0) at once and the
 *   expectation is the parent's.
 *
 * A call that would sleep is woken within a second: pause by +alarm,
 * nanosleep by its own 200 ms, wait4 by its child's exit, poll and select
 * by the child writing to their pipe.
 */
CALL(0, read, "fd:file b:64 64", ">0", "reads the file's text into the buffer")
CALL(1, write, "fd:file s:written-by-write 16", "=16", "writes 16 bytes into the file")
CALL(2, open, "path:file O_RDWR 0", ">=0", "opens the existing file, returns a new fd")
CALL(3, close, "fd:file", "=0", "closes an open file")
CALL(4, stat, "path:file b:256", "=0", "fills a struct stat for the file")
CALL(5, fstat, "fd:file b:256", "=0", "fills a struct stat for an open file")
CALL(6, lstat, "path:link b:256", "=0", "fills a struct stat for the symbolic link itself")
CALL(7, poll, "pollfd:pipe-late 1 2000", "=1", "sleeps until the child writes to the pipe, then reports it readable")
CALL(8, lseek, "fd:file 6 SEEK_SET", "=6", "moves the file offset to 6")
CALL(9, mmap, "0 4096 PROT_READ MAP_PRIVATE fd:file 0", ">0", "maps the file's first page, returns its address")
CALL(10, mprotect, "addr:map 4096 PROT_READ", "=0", "makes a written page read-only")
CALL(11, munmap, "addr:map 4096", "=0", "unmaps a page")
CALL(12, brk, "brk:+4096", ">0", "grows the heap by a page, returns the new break")
CALL(13, rt_sigaction, "SIGUSR1 act:handler b:32 SIGSET_LEN", "=0", "installs a handler for SIGUSR1, returns the old action")
CALL(14, rt_sigprocmask, "SIG_BLOCK sigset:SIGUSR1 b:8 SIGSET_LEN", "=0", "blocks SIGUSR1, returns the old mask")
CALL(15, rt_sigreturn, "+sigframe:42", "=42", "restores the registers of a signal frame on the stack: resumes in lab_resumed with rax 42")
CALL(16, ioctl, "fd:pipe-r FIONREAD i:0", "=0", "stores how many bytes the pipe holds")
CALL(17, pread64, "fd:file b:64 64 6", ">0", "reads the file from offset 6, the offset unchanged")
CALL(18, pwrite64, "fd:file s:LAB 3 0", "=3", "writes 3 bytes at offset 0")
CALL(19, readv, "fd:file iov:2 2", "=16", "reads the file into two 8-byte buffers")
CALL(20, writev, "fd:file iov:2 2", "=16", "writes two 8-byte buffers into the file")
CALL(21, access, "path:file R_OK|W_OK", "=0", "checks the file may be read and written")
CALL(22, pipe, "b:8", "=0", "makes a pipe, stores its two fds")
CALL(23, select, "nfds fdset:pipe-late 0 0 tv:2000", "=1", "sleeps until the child writes to the pipe, then reports one fd ready")
CALL(24, sched_yield, "", "=0", "gives the CPU to another runnable task")
CALL(25, mremap, "addr:map 4096 8192 MREMAP_MAYMOVE", ">0", "grows a page's mapping to two, returns its address")
CALL(26, msync, "addr:fmap 4096 MS_SYNC", "=0", "writes a shared file mapping's page back to the file")
CALL(27, mincore, "addr:map 4096 b:1", "=0", "reports the page resident")
CALL(28, madvise, "addr:map 4096 MADV_DONTNEED", "=0", "drops the page (it reads back as zeros)")
CALL(29, shmget, "IPC_PRIVATE 4096 IPC_CREAT|0600", ">=0", "creates a SysV shared memory segment, returns its id")
CALL(30, shmat, "shm:id 0 0", ">0", "attaches the segment, returns its address")
CALL(31, shmctl, "shm:id IPC_STAT b:256", "=0", "copies the segment's struct shmid_ds")
CALL(32, dup, "fd:file", ">=0", "duplicates the fd to the lowest free one")
CALL(33, dup2, "fd:file 10", "=10", "duplicates the fd onto fd 10")
CALL(34, pause, "+alarm:500", "-EINTR", "sleeps until a signal: SIGALRM after 500 ms, its handler runs")
CALL(35, nanosleep, "ts:200 b:16", "=0", "sleeps 200 ms")
CALL(36, getitimer, "ITIMER_REAL b:32", "=0", "copies the real-time interval timer (not armed)")
CALL(37, alarm, "5", "=0", "arms SIGALRM in 5 s (the process ends first), no alarm was pending")
CALL(38, setitimer, "ITIMER_REAL itv:5000 b:32", "=0", "arms the real-time timer for 5 s, returns the old one")
CALL(39, getpid, "", ">0", "returns the process id")
CALL(40, sendfile, "fd:new fd:file 0 64", ">0", "copies the file into another in the kernel")
CALL(41, socket, "AF_INET SOCK_STREAM 0", ">=0", "makes a TCP socket")
CALL(42, connect, "fd:sock addr:server SOCKADDR_IN_LEN", "=0", "connects to a server on 127.0.0.1:LAB_PORT")
CALL(43, accept, "fd:listen b:16 i:16", ">=0", "takes the waiting connection, returns its socket and the peer's address")
CALL(44, sendto, "fd:udp s:ping 4 0 addr:inet SOCKADDR_IN_LEN", "=4", "sends a datagram to 127.0.0.1:LAB_PORT (itself)")
CALL(45, recvfrom, "fd:udp b:64 64 0 b:16 i:16", ">0", "receives the datagram waiting, and its sender's address")
CALL(46, sendmsg, "fd:conn msghdr:out 0", ">0", "sends a message on a connected TCP socket")
CALL(47, recvmsg, "fd:conn msghdr:in 0", ">0", "receives what the peer sent")
CALL(48, shutdown, "fd:conn SHUT_WR", "=0", "ends the sending side: the peer reads end of file")
CALL(49, bind, "fd:sock addr:inet SOCKADDR_IN_LEN", "=0", "binds a TCP socket to 127.0.0.1:LAB_PORT")
CALL(50, listen, "fd:bound 5", "=0", "makes a bound socket listen")
CALL(51, getsockname, "fd:bound b:16 i:16", "=0", "stores the socket's own address")
CALL(52, getpeername, "fd:conn b:16 i:16", "=0", "stores the peer's address")
CALL(53, socketpair, "AF_UNIX SOCK_STREAM 0 b:8", "=0", "makes a connected pair of UNIX sockets, stores the two fds")
CALL(54, setsockopt, "fd:sock SOL_SOCKET SO_REUSEADDR i:1 INT_LEN", "=0", "sets SO_REUSEADDR")
CALL(55, getsockopt, "fd:sock SOL_SOCKET SO_TYPE b:4 i:4", "=0", "stores the socket's type (SOCK_STREAM)")
CALL(56, clone, "SIGCHLD 0 0 0 0", ">0", "as fork: a child on a copy of the memory; it _exits at once")
CALL(57, fork, "", ">0", "makes a child process, returns its pid; the child _exits at once")
CALL(58, vfork, "", ">0", "makes a child that borrows the memory; the parent waits until it _exits")
CALL(59, execve, "s:/bin/busybox argv:echo:execve:ran 0", "exit=0", "replaces the program by BusyBox echo, which prints and exits 0")
CALL(60, exit, "7", "exit=7", "ends the process with status 7")
CALL(61, wait4, "pid:child i:0 0 b:256", ">0", "sleeps until the child exits (100 ms), returns its pid and status")
CALL(62, kill, "pid:self SIGUSR1 +handler:SIGUSR1", "=0", "sends itself SIGUSR1: the handler runs on the way back to user mode")
CALL(63, uname, "b:390", "=0", "fills a struct utsname")
CALL(64, semget, "IPC_PRIVATE 1 IPC_CREAT|0600", ">=0", "creates a set of one SysV semaphore, returns its id")
CALL(65, semop, "sem:id sops:up 1", "=0", "adds 1 to the semaphore")
CALL(66, semctl, "sem:id 0 GETVAL", "=0", "returns the semaphore's value (0)")
CALL(67, shmdt, "addr:shm", "=0", "detaches a SysV shared memory segment")
CALL(68, msgget, "IPC_PRIVATE IPC_CREAT|0600", ">=0", "creates a SysV message queue, returns its id")
CALL(69, msgsnd, "msq:id msgbuf:hello 5 0", "=0", "queues a message of 5 bytes")
CALL(70, msgrcv, "msq:full b:128 64 0 0", ">0", "takes the waiting message, returns its length")
CALL(71, msgctl, "msq:id IPC_STAT b:256", "=0", "copies the queue's struct msqid_ds")
CALL(72, fcntl, "fd:file F_GETFL", ">=0", "returns the file's open flags")
CALL(73, flock, "fd:file LOCK_EX", "=0", "takes an exclusive lock on the file")
CALL(74, fsync, "fd:file", "=0", "flushes the file to its storage")
CALL(75, fdatasync, "fd:file", "=0", "flushes the file's data to its storage")
CALL(76, truncate, "path:file 4", "=0", "cuts the file to 4 bytes")
CALL(77, ftruncate, "fd:file 4", "=0", "cuts an open file to 4 bytes")
CALL(78, getdents, "fd:dir b:4096 4096", ">0", "fills the buffer with the directory's entries")
CALL(79, getcwd, "b:256 256", ">0", "stores the working directory, returns its length")
CALL(80, chdir, "path:dir", "=0", "changes the working directory")
CALL(81, fchdir, "fd:dir", "=0", "changes the working directory to an open one")
CALL(82, rename, "path:file path:new", "=0", "renames the file")
CALL(83, mkdir, "path:new 0755", "=0", "makes a directory")
CALL(84, rmdir, "path:dir", "=0", "removes an empty directory")
CALL(85, creat, "path:new 0644", ">=0", "creates a file, returns its fd")
CALL(86, link, "path:file path:new", "=0", "makes a second name (hard link) for the file")
CALL(87, unlink, "path:file", "=0", "removes the file's name")
CALL(88, symlink, "s:lab.txt path:new", "=0", "makes a symbolic link to lab.txt")
CALL(89, readlink, "path:link b:64 64", ">0", "stores the link's target, returns its length")
CALL(90, chmod, "path:file 0600", "=0", "changes the file's mode")
CALL(91, fchmod, "fd:file 0600", "=0", "changes an open file's mode")
CALL(92, chown, "path:file 1000 1000", "=0", "gives the file to user and group 1000 (as root)")
CALL(93, fchown, "fd:file 1000 1000", "=0", "gives an open file to user and group 1000")
CALL(94, lchown, "path:link 1000 1000", "=0", "gives the symbolic link itself to user and group 1000")
CALL(95, umask, "077", ">=0", "sets the file mode mask, returns the old one")
CALL(96, gettimeofday, "b:16 0", "=0", "stores the time of day")
CALL(97, getrlimit, "RLIMIT_NOFILE b:16", "=0", "stores the open-files limit")
CALL(98, getrusage, "RUSAGE_SELF b:256", "=0", "stores the process's resource usage")
CALL(99, sysinfo, "b:256", "=0", "stores memory, load and uptime figures")
