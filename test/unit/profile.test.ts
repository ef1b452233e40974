import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/stack/profile.js';
import { DOCUMENTED_PROFILE } from '../helpers/seed.js';

describe('stack profile', () => {
  it('reads the documented format, paths relative to the profile', () => {
    const p = parseProfile(
      DOCUMENTED_PROFILE,
      '/stack/trace-wizard.yaml',
    );
    expect(p.components.backend).toMatchObject({ file: '/stack/backend/.env', line: 2, restart: { kind: 'tmux', target: 'main:5', command: './target/release/ag', cwd: '/stack/backend' } });
    expect(p.components.tempo).toMatchObject({ api: 'https://localhost:3200', apiLine: 9, restart: { kind: 'process', pidfile: '/stack/run/tempo.pid' } });
  });

  it.each([
    ['systemd: tempo', { kind: 'systemd', unit: 'tempo' }],
    ['compose: { service: tempo, file: docker-compose.yaml }', { kind: 'compose', service: 'tempo', file: '/s/docker-compose.yaml' }],
    ['run: "make restart-tempo"', { kind: 'run', command: 'make restart-tempo' }],
    ['process: { port: 3200 }\n    command: tempo', { kind: 'process', port: 3200, command: 'tempo' }],
    ['tmux: "dev:1"\n    command: tempo\n    respawn: true', { kind: 'tmux', target: 'dev:1', respawn: true }],
  ])('reads restart kind %s', (restart, expected) => {
    const p = parseProfile(`tempo:\n  config: tempo.yaml\n  restart:\n    ${restart}\n`, '/s/trace-wizard.yaml');
    expect(p.components.tempo?.restart).toMatchObject(expected);
  });

  it('makes every component optional', () => {
    const p = parseProfile('tempo:\n  config: tempo.yaml\n', '/s/p.yaml');
    expect(Object.keys(p.components)).toEqual(['tempo']);
  });

  it.each([
    ['backend:\n  env: .env\n  extra: 1\n', /p\.yaml:3:3: backend: unknown key "extra"; expected one of env, restart/],
    ['backend:\n  restart: { run: x }\n', /p\.yaml:2:3: backend: missing env/],
    ['collector:\n  config: c.yaml\n  restart: { tmux: "a:1" }\n', /p\.yaml:3:12: collector\.restart: tmux needs a command/],
    ['tempo:\n  config: t.yaml\n  restart: { systemd: t, run: x }\n', /p\.yaml:3:12: tempo\.restart: expected exactly one of tmux, process, systemd, compose, run, found systemd and run/],
    ['tempo:\n  config: t.yaml\n  restart: { process: { port: 70000 }, command: t }\n', /p\.yaml:3:31: tempo\.restart\.process\.port: expected a port from 1 to 65535/],
    ['tempo:\n  config: t.yaml\n  api: localhost:3200\n', /p\.yaml:3:8: tempo\.api: expected an http:\/\/ or https:\/\/ URL/],
    ['backends:\n  env: .env\n', /p\.yaml:1:1: unknown key "backends"; expected one of backend, collector, tempo/],
    ['- a\n- b\n', /p\.yaml:1:1: expected a map/],
    ['backend: [\n', /p\.yaml:2:1:/],
  ])('reports a wrong profile with file:line:col and what was expected (%#)', (text, message) => {
    expect(() => parseProfile(text, 'p.yaml')).toThrowError(message);
  });

  it('reports every problem at once', () => {
    expect(() => parseProfile('backend:\n  env: .env\n  x: 1\ntempo:\n  y: 2\n', 'p.yaml')).toThrowError(/3 problems/);
  });
});
