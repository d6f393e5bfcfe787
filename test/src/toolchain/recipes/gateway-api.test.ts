import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { joinDocuments, selectCrds } from './gateway-api.js';

const CRD = (plural: string): string => `# Copyright The Kubernetes Authors.
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.gateway.networking.k8s.io
spec:
  group: gateway.networking.k8s.io
  names:
    plural: ${plural}
    description: ${'a long description that must not be refolded '.repeat(4)}
`;

const VAP = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: safe-upgrades.gateway.networking.k8s.io
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: safe-upgrades.gateway.networking.k8s.io
`;

describe('selectCrds', () => {
  it('keeps CustomResourceDefinitions with their names and content', () => {
    const crds = selectCrds(`${CRD('gateways')}---\n${CRD('httproutes')}`);
    expect(crds.map((c) => c.name)).toEqual(['gateways.gateway.networking.k8s.io', 'httproutes.gateway.networking.k8s.io']);
    expect(parse(crds[0]?.yaml ?? '')).toEqual(parse(CRD('gateways')));
  });

  it('drops admission policies and kustomizations', () => {
    expect(selectCrds(VAP)).toEqual([]);
    expect(selectCrds('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n')).toEqual([]);
  });

  it('keeps the CRDs of a file that mixes kinds', () => {
    expect(selectCrds(`${VAP}---\n${CRD('gateways')}`).map((c) => c.name)).toEqual(['gateways.gateway.networking.k8s.io']);
  });

  it('rejects invalid YAML and CRDs without a name', () => {
    expect(() => selectCrds('kind: [unclosed', 'x.yaml')).toThrow(/x\.yaml/);
    expect(() => selectCrds('kind: CustomResourceDefinition\nmetadata: {}\n')).toThrow(/metadata\.name/);
  });

  it('joins documents into a multi-document file that reads back the same', () => {
    const crds = selectCrds(`${CRD('gateways')}---\n${CRD('grpcroutes')}`);
    const joined = joinDocuments(crds);
    expect(parseAllDocuments(joined).map((d) => d.toJS() as unknown)).toEqual([parse(CRD('gateways')), parse(CRD('grpcroutes'))]);
    expect(selectCrds(joined).map((c) => c.name)).toEqual(crds.map((c) => c.name));
  });
});
