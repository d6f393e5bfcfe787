import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeConfigError, describeKubeConfig, loadKubeConfig } from './config.js';

const kubeconfig = `
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: admin
  user: {token: not-logged}
contexts:
- name: dev
  context: {cluster: local, user: admin}
current-context: dev
`;

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mgw-kube-'));

  it('builds nothing when nothing is configured', () => {
    expect(loadKubeConfig({ inCluster: false })).toBeUndefined();
  });

  it('loads the current context of a kubeconfig file without contacting the cluster', () => {
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, kubeconfig);
    const config = loadKubeConfig({ kubeconfig: path, inCluster: false });
    expect(config && describeKubeConfig(config)).toEqual({ context: 'dev', server: 'https://127.0.0.1:6443' });
  });

  it('names the file it cannot load', () => {
    const missing = join(dir, 'missing');
    expect(() => loadKubeConfig({ kubeconfig: missing, inCluster: false })).toThrow(KubeConfigError);
    expect(() => loadKubeConfig({ kubeconfig: missing, inCluster: false })).toThrow(`cannot load kubeconfig ${missing}`);
  });

  it('rejects a kubeconfig whose current context has no cluster', () => {
    const path = join(dir, 'empty');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    expect(() => loadKubeConfig({ kubeconfig: path, inCluster: false })).toThrow('has no current context with a cluster');
  });
});
