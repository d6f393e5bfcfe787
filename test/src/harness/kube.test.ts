import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpYaml } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readCrds, serviceAccountKeys } from './kube.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('readCrds', () => {
  it('keeps only CustomResourceDefinitions from every YAML file, in file order', () => {
    dir = mkdtempSync(join(tmpdir(), 'mgw-crds-'));
    writeFileSync(
      join(dir, 'b_routes.yaml'),
      ['apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: {name: routes.example.com}', '---',
        'apiVersion: admissionregistration.k8s.io/v1', 'kind: ValidatingAdmissionPolicy', 'metadata: {name: safe-upgrades}', ''].join('\n'),
    );
    writeFileSync(join(dir, 'a_gateways.yml'), 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gateways.example.com}\n');
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [a_gateways.yml]\n');
    writeFileSync(join(dir, 'README.md'), 'kind: CustomResourceDefinition\n');

    expect(readCrds(dir).map((crd) => crd.metadata?.name)).toEqual(['gateways.example.com', 'routes.example.com']);
  });

  it('keeps enum, default and x-kubernetes-* through the client serializer that sends them', () => {
    dir = mkdtempSync(join(tmpdir(), 'mgw-crds-'));
    const schema = {
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'self.a != "b"' }],
      properties: { a: { type: 'string', enum: ['a', 'b'], default: 'a' }, q: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } },
    };
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.com' }, spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: schema } }] } };
    writeFileSync(join(dir, 'things.yaml'), JSON.stringify(crd));
    const [read] = readCrds(dir);
    expect(read).toBeDefined();
    expect(parseYaml(dumpYaml(read))).toEqual(crd);
  });

  it('names the file of a YAML syntax error', () => {
    dir = mkdtempSync(join(tmpdir(), 'mgw-crds-'));
    writeFileSync(join(dir, 'broken.yaml'), 'kind: [unclosed\n');
    expect(() => readCrds(dir as string)).toThrow(/broken\.yaml/);
  });
});

describe('serviceAccountKeys', () => {
  it('creates an RSA key pair once and keeps it', () => {
    dir = mkdtempSync(join(tmpdir(), 'mgw-sa-'));
    const first = serviceAccountKeys(dir);
    const pem = readFileSync(first.privateKey, 'utf8');
    expect(createPrivateKey(pem).asymmetricKeyType).toBe('rsa');
    expect(createPublicKey(readFileSync(first.publicKey, 'utf8')).export({ format: 'jwk' })).toEqual(createPublicKey(pem).export({ format: 'jwk' }));

    serviceAccountKeys(dir);
    expect(readFileSync(first.privateKey, 'utf8')).toBe(pem);
  });
});
