import { describe, expect, it } from 'vitest';
import { kubeVersionLdflags, parseKubeVersion, stagingModules, stagingReplaceArgs, stagingVersion } from './kubernetes.js';

const GO_MOD = `module k8s.io/kubernetes

go 1.26.0

require (
	k8s.io/api v0.0.0
	github.com/spf13/cobra v1.10.2
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/apiextensions-apiserver => ./staging/src/k8s.io/apiextensions-apiserver
	k8s.io/cri-api v0.0.0 => ./staging/src/k8s.io/cri-api
	github.com/foo/bar => github.com/foo/bar v1.2.3
	k8s.io/weird => ./staging/src/k8s.io/other
)

replace k8s.io/kube-proxy => ./staging/src/k8s.io/kube-proxy
`;

describe('stagingModules', () => {
  it('finds every ./staging replace, in a block or on one line, and nothing else', () => {
    expect(stagingModules(GO_MOD)).toEqual(['k8s.io/api', 'k8s.io/apiextensions-apiserver', 'k8s.io/cri-api', 'k8s.io/kube-proxy']);
  });

  it('handles CRLF line endings', () => {
    expect(stagingModules(GO_MOD.replaceAll('\n', '\r\n'))).toHaveLength(4);
  });

  it('finds none in a go.mod without staging replaces', () => {
    expect(stagingModules('module x\n\ngo 1.26\n')).toEqual([]);
  });
});

describe('versions', () => {
  it('maps Kubernetes v1.X.Y to staging v0.X.Y', () => {
    expect(stagingVersion('1.37.2')).toBe('0.37.2');
    expect(stagingReplaceArgs(['k8s.io/api'], '1.36.3')).toEqual(['-replace=k8s.io/api=k8s.io/api@v0.36.3']);
  });

  it('rejects versions that are not X.Y.Z', () => {
    expect(() => parseKubeVersion('v1.37.2')).toThrow(/X\.Y\.Z/);
    expect(() => parseKubeVersion('1.37')).toThrow();
  });

  it('composes the version ldflags', () => {
    expect(kubeVersionLdflags('1.37.2')).toBe(
      '-X k8s.io/component-base/version.gitVersion=v1.37.2 -X k8s.io/component-base/version.gitMajor=1 ' +
        '-X k8s.io/component-base/version.gitMinor=37 -X k8s.io/component-base/version.gitTreeState=clean',
    );
  });
});
