import { describe, expect, it } from 'vitest';
import { formatDuration, lastLines } from './format.js';
import { markerJson, markerMatches } from './marker.js';
import { scratchOwnerPid, wantedTools } from './provision.js';

describe('wantedTools', () => {
  it('skips node while the running Node is recent enough', () => {
    expect(wantedTools(undefined, 'v24.21.0')).toEqual(['envoy', 'gateway-api', 'echo-basic', 'nats-server', 'coredns', 'kustomize', 'etcd', 'kubernetes']);
    expect(wantedTools(undefined, 'v20.19.0')[0]).toBe('node');
  });

  it('takes --only in build order and rejects unknown names', () => {
    expect(wantedTools(['kubernetes', 'envoy', 'node'], 'v24.0.0')).toEqual(['node', 'envoy', 'kubernetes']);
    expect(wantedTools(['conformance'], 'v24.0.0')).toEqual(['conformance']);
    expect(() => wantedTools(['kubectl'], 'v24.0.0')).toThrow(/kubectl/);
  });
});

describe('scratchOwnerPid', () => {
  it('reads the pid of this tool version scratch dirs, including run.sh mktemp ones', () => {
    expect(scratchOwnerPid('.tmp-etcd-3.6.16-4242', 'etcd', '3.6.16')).toBe(4242);
    expect(scratchOwnerPid('.tmp-node-24.21.0-77-AbC1', 'node', '24.21.0')).toBe(77);
  });

  it('ignores other tools, other versions and other files', () => {
    expect(scratchOwnerPid('.tmp-etcd-3.6.15-4242', 'etcd', '3.6.16')).toBeUndefined();
    expect(scratchOwnerPid('.tmp-nats-server-2.15.2-1', 'etcd', '3.6.16')).toBeUndefined();
    expect(scratchOwnerPid('etcd-3.6.16', 'etcd', '3.6.16')).toBeUndefined();
    expect(scratchOwnerPid('.tmp-etcd-3.6.16-x1', 'etcd', '3.6.16')).toBeUndefined();
  });
});

describe('complete marker', () => {
  it('accepts its own marker and the one scripts/run.sh writes', () => {
    expect(markerMatches(markerJson('etcd', '3.6.16', new Date(0), 12.34), 'etcd', '3.6.16')).toBe(true);
    expect(markerMatches('{"tool":"node","version":"24.21.0","finishedAt":"2025-01-01T00:00:00Z"}\n', 'node', '24.21.0')).toBe(true);
  });

  it('rejects another version, another tool, and garbage', () => {
    const marker = markerJson('etcd', '3.6.16', new Date(0), 1);
    expect(markerMatches(marker, 'etcd', '3.6.15')).toBe(false);
    expect(markerMatches(marker, 'envoy', '3.6.16')).toBe(false);
    expect(markerMatches('', 'etcd', '3.6.16')).toBe(false);
  });
});

describe('format', () => {
  it('formats durations for progress lines', () => {
    expect(formatDuration(400)).toBe('0.4s');
    expect(formatDuration(200_000)).toBe('3m20s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });

  it('keeps the last non-empty lines', () => {
    expect(lastLines('a\n\nb\r\nc\n', 2)).toEqual(['b', 'c']);
  });
});
