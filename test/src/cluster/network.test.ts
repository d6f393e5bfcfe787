import { describe, expect, it } from 'vitest';
import { clusterNetwork, PodIpAllocator, podLink, podNamespace, preferredIndex, sanitizeClusterName } from './network.js';

describe('cluster network names and ranges', () => {
  it('derives distinct, valid names and ranges per cluster', () => {
    const net = clusterNetwork('Dev Cluster!', 42);
    expect(net.name).toBe('dev-cluster');
    expect(net.nodeNamespace).toBe('mgw-dev-cluster');
    expect(net.podCidr).toBe('10.201.42.0/24');
    expect(net.serviceCidr).toBe('10.202.42.0/24');
    expect(net.hostLink.length).toBeLessThanOrEqual(15);
    expect(podLink('0123abcd-4567-89ef-0123-456789abcdef').length).toBeLessThanOrEqual(15);
    expect(podNamespace(net, '0123abcd-4567-89ef')).toBe('mgw-dev-cluster-0123abcd4567');
  });

  it('refuses names without usable characters and indexes out of range', () => {
    expect(() => sanitizeClusterName('!!!')).toThrow(/no usable characters/);
    expect(() => clusterNetwork('dev', 0)).toThrow(/not in 1..254/);
    expect(() => clusterNetwork('dev', 255)).toThrow(/not in 1..254/);
  });

  it('keeps the preferred index of a name stable', () => {
    expect(preferredIndex('dev')).toBe(preferredIndex('dev'));
    expect(preferredIndex('dev')).toBeGreaterThanOrEqual(20);
    expect(preferredIndex('dev')).toBeLessThan(220);
  });
});

describe('PodIpAllocator', () => {
  it('hands out addresses round-robin and reuses a released one last', () => {
    const ips = new PodIpAllocator(clusterNetwork('dev', 7));
    expect(ips.allocate('a')).toBe('10.201.7.2');
    expect(ips.allocate('b')).toBe('10.201.7.3');
    expect(ips.allocate('a')).toBe('10.201.7.2');
    ips.release('a');
    expect(ips.allocate('c')).toBe('10.201.7.4');
  });

  it('wraps around and fails when the range is full', () => {
    const ips = new PodIpAllocator(clusterNetwork('dev', 7));
    for (let i = 0; i < 253; i++) ips.allocate(`pod-${i}`);
    expect(() => ips.allocate('one-too-many')).toThrow(/no free Pod IP/);
    ips.release('pod-0');
    expect(ips.allocate('again')).toBe('10.201.7.2');
  });
});
