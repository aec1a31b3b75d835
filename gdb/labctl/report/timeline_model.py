# The report of a labctl-timeline/1 capture (gdb/SCHEMA.md) as a document
# (doc.py): each scenario's socket calls in order, drawn as a sequence with
# one lane per program, and the protocol dispatch side by side across
# scenarios.  Every value comes from the captures.
from labctl.report.doc import Code, Diagram, Document, Section, para, table, text
from labctl.report.lang import N_, _, capture_text

# What a call still in the kernel when the recording ended "returned".
UNFINISHED = N_('still in the kernel')
EVENT_HEAD = ('#', N_('t (ms)'), 'pid', N_('program (step)'), N_('system call'), N_('call'),
              N_('returned'), N_('dispatched to (read from the live socket)'))


def ms(scn, ev):
    """Guest time of EV since the scenario's first call, in ms (jiffies)."""
    hz = int(scn['setup']['kernel']['config'].get('CONFIG_HZ') or 0)
    first = scn['events'][0]['jiffies']
    return '%d' % ((ev['jiffies'] - first) * 1000 // hz) if hz else '-'


def syscall_text(ev):
    out = '%s (%d)' % (ev['syscall'], ev['nr'])
    sc = ev.get('socketcall')
    if sc:
        out += ' call %d' % sc['call']
    return out


def dispatch_text(ev):
    s = ev.get('socket')
    if not s:
        return ''
    if 'error' in s:
        return 'fd %d: %s' % (s['fd'], capture_text(s['error']))
    parts = []
    if s.get('ops_method'):
        parts.append('%s.%s = %s' % (s['ops']['name'], s['method'], s['ops_method']['name']))
    else:
        parts.append('sock->ops = %s' % s['ops']['name'])
    if s.get('proto'):
        if s.get('proto_method'):
            parts.append('%s.%s = %s' % (s['proto']['name'], s['method'], s['proto_method']['name']))
        else:
            parts.append('sk_prot = %s ("%s")' % (s['proto']['name'], s['proto_name']))
    return ' -> '.join(parts)


def events_table(scn):
    rows = []
    for ev in scn['events']:
        t = ev['task']
        rows.append((ev['seq'], ms(scn, ev), t['pid'], '%s (%s)' % (t['exe'], ev['step']),
                     syscall_text(ev), Code(ev['text']) if ev.get('text') else ev['call'],
                     ev.get('ret', _(UNFINISHED)), dispatch_text(ev)))
    return table(map(_, EVENT_HEAD), rows)


def sequence_data(scn):
    """For the sequence drawing: the lanes (programs) and each call's lane,
    label and whether it failed."""
    lanes = [s['exe'] for s in scn['steps']]
    return {'lanes': lanes, 'calls': [{
        'lane': lanes.index(ev['task']['exe']) if ev['task']['exe'] in lanes else 0,
        'label': '%d. %s = %s' % (ev['seq'], ev.get('text') or ev['call'],
                                  ev.get('ret', _(UNFINISHED))),
        'failed': isinstance(ev.get('ret'), int) and ev['ret'] < 0,
    } for ev in scn['events']]}


def scenario(scn):
    sid = 'scenario-%s' % scn['scenario']
    if not scn.get('ok'):
        return Section(sid, text('Scenario %s', scn['scenario']),
                       [para('No timeline: %s', scn.get('error'))])
    abis = sorted({s['abi'] for s in scn['steps']})
    blocks = [
        Diagram('sequence', _('Sequence'), sequence_data(scn)),
        para('Kernel %s, %s; programs: %s. The scenario %s (status %s on the console). '
             'Breakpoints on the handlers of %d socket system calls; stops in other '
             'programs (boot, BusyBox), resumed at once: %d.',
             scn['setup']['kernel']['release'], '/'.join(abis),
             ', '.join('%s (%s, %s)' % (s['exe'], s['step'], s['abi']) for s in scn['steps']),
             _('finished') if scn['console']['status'] == 0 else _('did not finish cleanly'),
             scn['console']['status'], scn['setup']['handlers_watched'], scn['rejected_stops']),
        events_table(scn)]
    calls = [ev['socketcall']['call'] for ev in scn['events'] if ev.get('socketcall')]
    if calls:
        blocks.append(para('socketcall call values in order: %s.', ', '.join(map(str, calls))))
    if scn.get('unfinished'):
        by_seq = {ev['seq']: ev for ev in scn['events']}
        blocks.append(para('Calls still in the kernel when the recording ended (%s): %s.',
                           capture_text(scn.get('ended') or N_('the guest powered off')),
                           ', '.join('%d (%s, %s)' % (n, by_seq[n]['task']['exe'], by_seq[n]['call'])
                                     if n in by_seq else str(n) for n in scn['unfinished'])))
    return Section(sid, text('Scenario %s: %s', scn['scenario'], scn.get('description') or ''),
                   blocks)


def dispatch(doc):
    """Rows: each call (in order of first appearance); columns: scenarios."""
    scns = [s for s in doc['scenarios'] if s.get('ok')]
    order, cells = [], {}
    for i, scn in enumerate(scns):
        for ev in scn['events']:
            if ev['call'] not in order:
                order.append(ev['call'])
            d = dispatch_text(ev)
            if d:
                cells.setdefault((ev['call'], i), set()).add(d)
    rows = [[call] + [' / '.join(sorted(cells.get((call, i), ()))) or '-' for i in range(len(scns))]
            for call in order]
    return Section('dispatch', text('Protocol dispatch side by side'), [
        para('The same calls reach different implementations: struct socket\'s proto_ops '
             'and struct sock\'s proto, read from the live sockets.'),
        table([_('call')] + [s['scenario'] for s in scns], rows)])


def build(doc):
    return Document(text('Socket system calls, scenario by scenario'),
                    [scenario(s) for s in doc['scenarios']] + [dispatch(doc)])
