# Sockets as the running kernel holds them, and the socket system calls'
# arguments decoded: constants from the kernel source tree (AF_*, SYS_*,
# MSG_*), types and tables from DWARF, objects read from guest memory.
import os
import re

import gdb

from labctl import kernel as k
from labctl.kernel import u64
from labctl.report.lang import N_

# Which proto_ops / proto method a socket system call reaches.
METHOD = {
    'connect': 'connect', 'bind': 'bind', 'listen': 'listen',
    'accept': 'accept', 'accept4': 'accept', 'send': 'sendmsg', 'sendto': 'sendmsg',
    'recv': 'recvmsg', 'recvfrom': 'recvmsg', 'sendmsg': 'sendmsg', 'recvmsg': 'recvmsg',
    'sendmmsg': 'sendmsg', 'recvmmsg': 'recvmsg', 'shutdown': 'shutdown',
    'getsockname': 'getname', 'getpeername': 'getname', 'setsockopt': 'setsockopt',
    'getsockopt': 'getsockopt', 'socketpair': 'socketpair',
}

# The socket-family system calls, by the names of syscall_64.tbl and
# syscall_32.tbl (socketcall multiplexes them on i386).
FAMILY = frozenset(METHOD) | {'socket', 'socketcall'}

# Calls whose new descriptor is the return value: the socket is read there.
RETURNS_FD = frozenset(('socket', 'accept', 'accept4'))

# Argument names, in register order (net/socket.c's SYSCALL_DEFINEs).
ARGS = {
    'socket': ('family', 'type', 'protocol'),
    'socketpair': ('family', 'type', 'protocol', 'usockvec'),
    'bind': ('fd', 'umyaddr', 'addrlen'), 'connect': ('fd', 'uservaddr', 'addrlen'),
    'listen': ('fd', 'backlog'),
    'accept': ('fd', 'upeer_sockaddr', 'upeer_addrlen'),
    'accept4': ('fd', 'upeer_sockaddr', 'upeer_addrlen', 'flags'),
    'getsockname': ('fd', 'usockaddr', 'usockaddr_len'),
    'getpeername': ('fd', 'usockaddr', 'usockaddr_len'),
    'send': ('fd', 'buff', 'len', 'flags'), 'recv': ('fd', 'ubuf', 'size', 'flags'),
    'sendto': ('fd', 'buff', 'len', 'flags', 'addr', 'addr_len'),
    'recvfrom': ('fd', 'ubuf', 'size', 'flags', 'addr', 'addr_len'),
    'shutdown': ('fd', 'how'),
    'setsockopt': ('fd', 'level', 'optname', 'optval', 'optlen'),
    'getsockopt': ('fd', 'level', 'optname', 'optval', 'optlen'),
    'sendmsg': ('fd', 'msg', 'flags'), 'recvmsg': ('fd', 'msg', 'flags'),
    'sendmmsg': ('fd', 'msg', 'vlen', 'flags'),
    'recvmmsg': ('fd', 'msg', 'vlen', 'flags', 'timeout'),
}

_defines = {}


def defines(source, rel, prefix):
    """{value: NAME} of the `#define PREFIXxxx NUMBER` lines of the source
    tree's file REL; the first name of a value wins (AF_UNIX, not AF_LOCAL)."""
    key = (rel, prefix)
    if key not in _defines:
        out = {}
        pat = re.compile(r'#define\s+(%s\w+)\s+(0x[0-9a-fA-F]+|\d+)\b' % re.escape(prefix))
        try:
            with open(os.path.join(source or '', rel), errors='replace') as f:
                for line in f:
                    m = pat.match(line.strip())
                    if m:
                        out.setdefault(int(m.group(2), 0), m.group(1))
        except OSError:
            pass
        _defines[key] = out
    return _defines[key]


def socketcall_calls(source):
    """{call value: name} of socketcall(2), from include/uapi/linux/net.h
    (SYS_CONNECT = 3 -> 'connect')."""
    return {v: n[4:].lower() for v, n in defines(source, 'include/uapi/linux/net.h', 'SYS_').items()}


def enum_name(type_name, value):
    """The enumerator of TYPE_NAME (DWARF) equal to VALUE, or None."""
    try:
        t = gdb.lookup_type(type_name)
    except gdb.error:
        return None
    for f in t.fields():
        if f.enumval == value:
            return f.name
    return None


_nas = []


def compat_nas():
    """net/compat.c's nas[]: the byte length of each socketcall's argument
    block in a 32-bit process, read from vmlinux once."""
    if not _nas:
        for sym in gdb.lookup_static_symbols('nas'):
            if sym.symtab and sym.symtab.filename.endswith('net/compat.c'):
                v = sym.value()
                _nas.extend(int(v[i]) for i in range(v.type.range()[1] + 1))
    return _nas or None


def compat_word():
    """The size of an argument in a 32-bit process's socketcall block
    (compat_ulong_t, from DWARF)."""
    return gdb.lookup_type('compat_ulong_t').sizeof


def read_words(addr, n, size):
    raw = k.read_bytes(addr, n * size)
    return [int.from_bytes(raw[i:i + size], 'little') for i in range(0, n * size, size)]


def signed(v, bits=64):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def decode_sockaddr(source, addr, length):
    """The sockaddr at user ADDR (LENGTH bytes), read from user memory."""
    if not addr:
        return None
    try:
        raw = k.read_bytes(addr, max(0, min(length, 128)))
    except gdb.MemoryError:
        return {'addr': addr, 'error': 'unreadable'}
    if len(raw) < 2:
        return {'addr': addr, 'error': 'shorter than a family'}
    family = int.from_bytes(raw[0:2], 'little')
    out = {'addr': addr, 'family': family, 'bytes': raw.hex()}
    name = defines(source, 'include/linux/socket.h', 'AF_').get(family)
    if name:
        out['family_name'] = name
    if name == 'AF_INET' and len(raw) >= 8:
        out.update(port=int.from_bytes(raw[2:4], 'big'), address='.'.join(str(b) for b in raw[4:8]))
    elif name == 'AF_UNIX':
        path = raw[2:].split(b'\0')[0] if raw[2:3] != b'\0' else b'@' + raw[3:].rstrip(b'\0')
        out['path'] = path.decode(errors='replace')
    return out


def describe_sockaddr(sa):
    if not sa:
        return 'NULL'
    if 'error' in sa:
        return '%s (%s)' % (hex(sa['addr']), sa['error'])
    fam = sa.get('family_name', 'family %d' % sa['family'])
    if 'port' in sa:
        return '{%s, %s:%d}' % (fam, sa['address'], sa['port'])
    if 'path' in sa:
        return '{%s, "%s"}' % (fam, sa['path'])
    return '{%s}' % fam


def user_int(addr, size=4):
    try:
        return int.from_bytes(k.read_bytes(addr, size), 'little')
    except gdb.MemoryError:
        return None


def user_data(addr, length, limit=32):
    """The first bytes of a user buffer: C-escaped text when printable (a
    trailing NUL shown as \\0), else hex; '...' when there is more."""
    if not addr or length <= 0:
        return None
    try:
        raw = k.read_bytes(addr, min(length, limit))
    except gdb.MemoryError:
        return None
    text = raw.rstrip(b'\0')
    more = '...' if length > limit else ''
    if not all(32 <= b < 127 or b in (9, 10, 13) for b in text):
        return raw.hex() + more
    esc = text.decode('ascii').replace('\\', '\\\\').replace('"', '\\"')
    esc = esc.replace('\n', '\\n').replace('\t', '\\t').replace('\r', '\\r')
    return esc + '\\0' * (len(raw) - len(text)) + more


def decode(source, name, args, ret=None):
    """The arguments of socket call NAME (ARGS in register order) decoded:
    {'args': {name: value}, 'text': 'connect(3, {AF_INET, 127.0.0.1:1234}, 16)',
    'sockaddrs': {name: decode_sockaddr()}}.  With RET (at the return) the
    buffers the kernel filled are read too."""
    names = ARGS.get(name, ())
    vals = dict(zip(names, args))
    shown = []
    sockaddrs = {}
    for n in names:
        v = vals[n]
        if n == 'fd':
            text = str(signed(v, 32))
        elif n == 'family':
            text = defines(source, 'include/linux/socket.h', 'AF_').get(v, str(v))
        elif n == 'type':
            base = enum_name('enum sock_type', v & 0xf)
            text = base or str(v & 0xf)
            if v & ~0xf:
                text += '|0x%x' % (v & ~0xf)
        elif n in ('umyaddr', 'uservaddr') or (n == 'addr' and name == 'sendto'):
            length = vals.get('addrlen', vals.get('addr_len', 0))
            sockaddrs[n] = decode_sockaddr(source, v, length)
            text = describe_sockaddr(sockaddrs[n])
        elif n in ('upeer_sockaddr', 'usockaddr') or (n == 'addr' and name == 'recvfrom'):
            if ret is not None and signed(ret) >= 0 and v:
                lenp = vals.get('upeer_addrlen', vals.get('usockaddr_len', vals.get('addr_len')))
                length = user_int(lenp) if lenp else None
                sockaddrs[n] = decode_sockaddr(source, v, length or 0)
                text = describe_sockaddr(sockaddrs[n])
            else:
                text = 'NULL' if not v else hex(v)
        elif n == 'flags' and name in ('send', 'sendto', 'recv', 'recvfrom', 'sendmsg', 'recvmsg'):
            text = flags_text(source, v, 'MSG_')
        elif n in ('buff', 'ubuf'):
            count = vals.get('len', vals.get('size', 0))
            if n == 'ubuf':
                count = signed(ret) if ret is not None else 0
            data = user_data(v, count)
            text = '"%s"' % data if data is not None else hex(v)
        elif n in ('len', 'size', 'addrlen', 'backlog', 'vlen', 'how', 'level', 'optname'):
            text = str(signed(v, 32))
        else:
            text = hex(v) if v else '0' if n != 'usockvec' else 'NULL'
        shown.append(text)
    return {'args': vals, 'text': '%s(%s)' % (name, ', '.join(shown)), 'sockaddrs': sockaddrs}


def flags_text(source, v, prefix):
    if not v:
        return '0'
    names = defines(source, 'include/linux/socket.h', prefix)
    parts, rest = [], v
    for bit in sorted(names):
        if bit and bit & (bit - 1) == 0 and v & bit:
            parts.append(names[bit])
            rest &= ~bit
    if rest:
        parts.append('0x%x' % rest)
    return '|'.join(parts)


def socketcall_args(source, call, ptr):
    """socketcall(CALL, PTR) of a 32-bit process: (name, [args]) read from
    the argument block at user PTR, as long as nas[CALL] says it is."""
    name = socketcall_calls(source).get(call)
    nas = compat_nas()
    if name is None or nas is None or call >= len(nas):
        return name, None
    word = compat_word()
    try:
        return name, read_words(ptr, nas[call] // word, word)
    except gdb.MemoryError:
        return name, None


def objects(task, fd, method):
    """fd -> file -> struct socket -> proto_ops / sock -> proto, read from
    the live TASK, and the METHOD pointers of both."""
    fdt = task['files']['fdt']
    if fd < 0 or fd >= int(fdt['max_fds']):
        return {'fd': fd, 'error': N_('fd out of range')}
    filp = fdt['fd'][fd]
    if u64(filp) == 0:
        return {'fd': fd, 'error': N_('no open file')}
    fops = k.symbol(u64(filp['f_op']))
    out = {'fd': fd, 'file': u64(filp), 'f_op': fops}
    if fops['symbol'] != 'socket_file_ops':
        out['error'] = N_('not a socket')
        return out
    sock = filp['private_data'].cast(gdb.lookup_type('struct socket').pointer())
    ops = sock['ops']
    sk = sock['sk']
    out.update({'socket': u64(sock), 'state': str(sock['state']), 'type': int(sock['type']),
                'type_name': enum_name('enum sock_type', int(sock['type'])),
                'ops': k.symbol(u64(ops)), 'method': method})
    out['ops_method'] = k.symbol(u64(ops[method])) if method else None
    if u64(sk) == 0:
        return out
    prot = sk['__sk_common']['skc_prot']
    out.update({'sk': u64(sk), 'family': int(sk['__sk_common']['skc_family']),
                'proto': k.symbol(u64(prot)), 'proto_name': prot['name'].string()})
    names = [f.name for f in prot.dereference().type.fields()]
    # None when struct proto has no such method or leaves it NULL (tcp_prot.bind:
    # inet_bind does the work itself)
    fn = u64(prot[method]) if method in names else 0
    out['proto_method'] = k.symbol(fn) if fn else None
    return out
