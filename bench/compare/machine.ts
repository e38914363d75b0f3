// The machine and versions a run measured on, for the JSON and the report.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './server-handle.js';

function git() {
  const run = (cmd: string) => {
    try {
      return execSync(cmd, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trimEnd();
    } catch {
      return '';
    }
  };
  const dirty = run('git status --porcelain -- packages');
  // The Ghost under test is the working tree: other sessions' uncommitted changes included.
  return { head: run('git rev-parse --short HEAD'), packagesDirty: dirty ? dirty.split('\n') : [] };
}

export function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  let cpuDetail = '';
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    cpuModel = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpuModel;
    const field = (name: string) => new RegExp(`${name}\\s*:\\s*(.*)`).exec(cpuinfo)?.[1];
    cpuDetail = `family ${field('cpu family')} model ${field('model')}, ${Math.round(Number(field('cpu MHz')))} MHz`;
  } catch {
    // not Linux
  }
  const version = (name: string) => {
    try {
      return JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    } catch {
      return 'missing';
    }
  };
  let redis = '';
  try {
    redis = /v=(\S+)/.exec(execSync('redis-server --version', { stdio: ['ignore', 'pipe', 'ignore'] }).toString())?.[1] ?? '';
  } catch {
    redis = 'not installed';
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    cpuDetail,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    fdLimit: Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim()) || 0,
    versions: {
      ws: version('ws'),
      'socket.io': version('socket.io'),
      'engine.io': version('engine.io'),
      '@socket.io/redis-adapter': version('@socket.io/redis-adapter'),
      ioredis: version('ioredis'),
      'redis-server': redis,
    },
    git: git(),
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    // tsx maps @ghost/* through the root tsconfig paths: this shows it is the sources, not a stale dist.
    ghostResolvesTo: Object.fromEntries(['@ghost/server', '@ghost/client'].map((m) => [m, path.relative(REPO_ROOT, new URL(import.meta.resolve(m)).pathname)])),
  };
}
