#!/usr/bin/env python3
"""gha.py: a GitHub Actions workflow's jobs run as GitHub's runner runs a
container job, in docker, for the ci tier (GitHub's own runner cannot run
here).  What it does, and no more than ci/github/ needs:

  - jobs in the order of their needs; a matrix of one variable; if:
    always() / success(); job outputs from step outputs ($GITHUB_OUTPUT)
  - each job in its `container:` (image and options), the workspace a bind
    mount at /__w/repo/repo, the checkout owned by the runner's user (1001)
  - run: steps through `bash --noprofile --norc -eo pipefail`, with the
    workflow's, the job's and the step's env, GITHUB_SHA, GITHUB_WORKSPACE,
    GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
  - actions/checkout (the repository given, path:), actions/cache (restore
    at the step, save at the job's end when it missed), actions/upload-
    artifact and download-artifact (name:, or pattern: with merge-multiple)
  - ${{ }} expressions: contexts (github, vars, inputs, env, matrix, needs,
    steps, strategy), 'literals', ||, fromJSON(), always(), success()

Anything else in a workflow is an error, not a silent skip.

  gha.py WORKFLOW --repo DIR --state DIR [--var K=V]... [--input K=V]...
         [--volume HOST:CONTAINER]... [--sha SHA]
Prints each step's outcome; writes STATE/jobs.json ({job: result}); exits 0
when every job succeeded.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid

import yaml

WS = '/__w/repo/repo'      # GITHUB_WORKSPACE in the container
TEMP = '/__w/_temp'


class Unsupported(Exception):
    pass


# -- expressions ---------------------------------------------------------
def split_top(text, sep):
    """TEXT split at SEP outside quotes and parentheses."""
    parts, depth, quote, cur, i = [], 0, False, '', 0
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quote = not quote
        elif not quote and ch == '(':
            depth += 1
        elif not quote and ch == ')':
            depth -= 1
        if not quote and depth == 0 and text.startswith(sep, i):
            parts.append(cur)
            cur, i = '', i + len(sep)
            continue
        cur += ch
        i += 1
    parts.append(cur)
    return parts


def evaluate(expr, ctx):
    expr = expr.strip()
    alts = split_top(expr, '||')
    if len(alts) > 1:
        for a in alts:
            v = evaluate(a, ctx)
            if v not in (None, '', False, 0):
                return v
        return v
    if expr.startswith("'") and expr.endswith("'"):
        return expr[1:-1].replace("''", "'")
    m = re.fullmatch(r'(\w+)\((.*)\)', expr)
    if m:
        fn, arg = m.group(1).lower(), m.group(2)
        if fn == 'fromjson':
            return json.loads(str(evaluate(arg, ctx)))
        if fn == 'always' and not arg:
            return True
        if fn == 'success' and not arg:
            return not ctx['failed']
        raise Unsupported('function %s()' % fn)
    if re.fullmatch(r'[\w.-]+', expr):
        v = ctx
        for part in expr.split('.'):
            if not isinstance(v, dict):
                raise Unsupported('context %s' % expr)
            v = v.get(part)
        return v
    raise Unsupported('expression %r' % expr)


def text(v):
    """A value as GitHub writes it into a string: null is empty."""
    return '' if v is None else str(v)


def interpolate(value, ctx):
    """A string with ${{ }} expressions replaced; a whole-expression value
    keeps its type (a matrix's list)."""
    if not isinstance(value, str):
        return value
    m = re.fullmatch(r'\s*\$\{\{(.*?)\}\}\s*', value, re.S)
    if m:
        return evaluate(m.group(1), ctx)
    return re.sub(r'\$\{\{(.*?)\}\}', lambda m: text(evaluate(m.group(1), ctx)), value)


def condition(step_or_job, ctx):
    cond = step_or_job.get('if')
    if cond is None:
        return not ctx['failed']
    cond = cond.strip()
    if cond.startswith('${{'):
        cond = cond[3:-2]
    return bool(evaluate(cond, ctx))


# -- the runner ------------------------------------------------------------
class Runner:
    def __init__(self, a):
        self.a = a
        self.wf = yaml.safe_load(open(a.workflow))
        self.state = os.path.abspath(a.state)
        self.cache = os.path.join(self.state, 'cache')
        self.artifacts = os.path.join(self.state, 'artifacts')
        for d in (self.cache, self.artifacts):
            os.makedirs(d, exist_ok=True)
        self.results, self.outputs = {}, {}
        self.base = {
            'github': {'sha': a.sha, 'workspace': WS, 'event_name': 'workflow_dispatch'},
            'vars': dict(kv.split('=', 1) for kv in a.var),
            'inputs': dict(kv.split('=', 1) for kv in a.input),
        }

    def log(self, msg):
        print(msg, flush=True)

    def order(self):
        jobs, done, out = self.wf['jobs'], set(), []
        while len(out) < len(jobs):
            ready = [j for j in jobs if j not in done and
                     all(n in done for n in as_list(jobs[j].get('needs')))]
            if not ready:
                raise Unsupported('a cycle in needs')
            for j in ready:
                done.add(j)
                out.append(j)
        return out

    def run(self):
        for name in self.order():
            job = self.wf['jobs'][name]
            needs = as_list(job.get('needs'))
            ctx = dict(self.base, needs={n: {'result': self.results[n], 'outputs': self.outputs.get(n, {})}
                                         for n in needs},
                       failed=any(self.results[n] != 'success' for n in needs))
            if not condition(job, ctx):
                self.results[name] = 'skipped'
                self.log('job %s: skipped' % name)
                continue
            matrix = (job.get('strategy') or {}).get('matrix')
            if matrix:
                (var, values), = matrix.items()
                values = interpolate(values, ctx)
                results = []
                for i, v in enumerate(values):
                    mctx = dict(ctx, matrix={var: v}, strategy={'job-index': i})
                    results.append(self.job(name, job, mctx, '%s (%s)' % (name, v)))
                self.results[name] = 'success' if all(r == 'success' for r in results) else 'failure'
            else:
                self.results[name] = self.job(name, job, ctx, name)
        json.dump(self.results, open(os.path.join(self.state, 'jobs.json'), 'w'))
        return all(r in ('success', 'skipped') for r in self.results.values())

    def env_of(self, layers, ctx):
        env = {}
        for layer in layers:
            for k, v in (layer or {}).items():
                env[k] = text(interpolate(v, dict(ctx, env=env)))
        return env

    def job(self, name, job, ctx, label):
        t0 = time.time()
        ctx = dict(ctx, steps={}, env={})
        work = os.path.join(self.state, 'work', uuid.uuid4().hex[:8])   # /__w
        os.makedirs(os.path.join(work, 'repo', 'repo'))
        os.makedirs(os.path.join(work, '_temp'))
        cont = job.get('container')
        if not cont:
            raise Unsupported('job %s runs on the runner itself, not in a container' % name)
        image = cont if isinstance(cont, str) else cont['image']
        options = [] if isinstance(cont, str) else (cont.get('options') or '').split()
        cid = 'gha-' + uuid.uuid4().hex[:12]
        vols = sum((['-v', v] for v in self.a.volume), [])
        subprocess.run(['docker', 'run', '-d', '--name', cid, *options, *vols, '-v', '%s:/__w' % work,
                        '-w', WS, image, 'sleep', 'infinity'], check=True, stdout=subprocess.DEVNULL)
        saves, failed = [], False
        try:
            for i, step in enumerate(job.get('steps', [])):
                sctx = dict(ctx, failed=failed)
                sctx['env'] = self.env_of([self.wf.get('env'), job.get('env')], sctx)
                title = step.get('name') or step.get('uses') or step['run'].splitlines()[0]
                if not condition(step, sctx):
                    self.log('  %s: %s: skipped' % (label, title))
                    continue
                s0 = time.time()
                ok = self.step(cid, work, step, sctx, saves, i)
                self.log('  %s: %s: %s (%.0f s)' % (label, title, 'ok' if ok else 'FAILED', time.time() - s0))
                failed = failed or not ok
            if not failed:
                for key, path in saves:
                    self.cache_save(work, key, path)
            out = {k: text(interpolate(v, dict(ctx, failed=failed))) for k, v in (job.get('outputs') or {}).items()}
            self.outputs[name] = out
        finally:
            subprocess.run(['docker', 'rm', '-f', cid], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # what the container made as root: the host removes it
        self.log('job %s: %s in %.0f s' % (label, 'failure' if failed else 'success', time.time() - t0))
        return 'failure' if failed else 'success'

    def step(self, cid, work, step, ctx, saves, index):
        with_ = {k: interpolate(v, ctx) for k, v in (step.get('with') or {}).items()}
        ws = os.path.join(work, 'repo', 'repo')     # WS on the host
        if 'run' in step:
            env = dict(ctx['env'], **self.env_of([step.get('env')], ctx))
            out_file = '%s/output_%d' % (TEMP, index)
            env.update(GITHUB_SHA=self.a.sha, GITHUB_WORKSPACE=WS, GITHUB_OUTPUT=out_file,
                       GITHUB_STEP_SUMMARY=TEMP + '/step_summary', CI='true', GITHUB_ACTIONS='true')
            script = interpolate(step['run'], ctx)
            cmd = ['docker', 'exec', '-w', WS]
            for k, v in env.items():
                cmd += ['-e', '%s=%s' % (k, v)]
            cmd += [cid, 'bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', script]
            rc = subprocess.run(cmd, stdout=self.a.job_log, stderr=subprocess.STDOUT).returncode
            outputs = {}
            host_out = os.path.join(work, '_temp', 'output_%d' % index)
            if os.path.exists(host_out):
                for line in open(host_out):
                    if '=' in line:
                        k, v = line.rstrip('\n').split('=', 1)
                        outputs[k] = v
            if step.get('id'):
                ctx['steps'][step['id']] = {'outputs': outputs}
            return rc == 0
        uses = step.get('uses', '')
        action = uses.split('@')[0]
        if action == 'actions/checkout':
            dest = os.path.join(ws, with_.get('path', ''))
            shutil.copytree(self.a.repo, dest, symlinks=True, dirs_exist_ok=True)
            subprocess.run(['chown', '-R', '1001:1001', dest], check=True)
            return True
        if action == 'actions/cache':
            key, path = with_['key'], with_['path']
            hit = os.path.join(self.cache, key)
            if os.path.exists(os.path.join(hit, os.path.basename(path))):
                shutil.copy(os.path.join(hit, os.path.basename(path)), os.path.join(ws, path))
                self.log('    cache hit: %s' % key)
            else:
                saves.append((key, path))
                self.log('    cache miss: %s' % key)
            return True
        if action == 'actions/upload-artifact':
            src = os.path.join(ws, with_['path'])
            dest = os.path.join(self.artifacts, with_['name'])
            if not os.path.exists(src):
                return False
            os.makedirs(dest, exist_ok=True)
            if os.path.isdir(src):
                shutil.copytree(src, dest, dirs_exist_ok=True)
            else:
                shutil.copy(src, dest)
            return True
        if action == 'actions/download-artifact':
            dest = os.path.join(ws, with_.get('path', ''))
            names = [with_['name']] if 'name' in with_ else \
                [n for n in sorted(os.listdir(self.artifacts))
                 if re.fullmatch(with_['pattern'].replace('*', '.*'), n)]
            if not names:
                return False
            for n in names:
                to = dest if 'name' in with_ or with_.get('merge-multiple') else os.path.join(dest, n)
                shutil.copytree(os.path.join(self.artifacts, n), to, dirs_exist_ok=True)
            return True
        raise Unsupported('uses: %s' % uses)

    def cache_save(self, work, key, path):
        src = os.path.join(work, 'repo', 'repo', path)
        if os.path.exists(src):
            os.makedirs(os.path.join(self.cache, key), exist_ok=True)
            shutil.copy(src, os.path.join(self.cache, key, os.path.basename(path)))
            self.log('    cache saved: %s' % key)


def as_list(v):
    return [] if v is None else v if isinstance(v, list) else [v]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('workflow')
    ap.add_argument('--repo', required=True)
    ap.add_argument('--state', required=True)
    ap.add_argument('--var', action='append', default=[])
    ap.add_argument('--input', action='append', default=[])
    ap.add_argument('--volume', action='append', default=[])
    ap.add_argument('--sha', default='')
    ap.add_argument('--job-log', type=argparse.FileType('a'), default=sys.stdout)
    a = ap.parse_args()
    try:
        ok = Runner(a).run()
    except Unsupported as e:
        sys.exit('gha.py: %s: not emulated' % e)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
