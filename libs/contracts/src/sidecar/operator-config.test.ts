import { describe, expect, it } from 'vitest';
import { NETWORK_MANAGER_TEMPLATE_FILE, OPERATOR_CONFIG_FILE, describeOperatorConfigIssues, parseOperatorConfigMap } from './operator-config.js';
import { operatorConfigMapName } from './names.js';

const template = (iptables: string): string => `image: ghcr.io/microgateway/network-manager:0.1.0\nimagePullPolicy: Always\nresources:\n  requests: { cpu: 10m, memory: 32Mi }\nenv:\n  - name: IPTABLES\n    value: ${iptables}\n`;

describe('the operator configuration ConfigMap', () => {
  it('takes defaults for an absent operator_config.yaml and reads the referenced template', () => {
    const result = parseOperatorConfigMap({ [NETWORK_MANAGER_TEMPLATE_FILE]: template('nft') });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.templates.config.sidecar.engine.imagePullPolicy).toBe('IfNotPresent');
    expect(result.templates.networkManager).toMatchObject({ imagePullPolicy: 'Always', env: [{ name: 'IPTABLES', value: 'nft' }] });
    expect(result.templates.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes the digest when IPTABLES changes, and only then', () => {
    const digest = (data: Record<string, string>): string => {
      const result = parseOperatorConfigMap(data);
      if (!result.ok) throw new Error(describeOperatorConfigIssues(result.issues));
      return result.templates.digest;
    };
    const nft = digest({ [NETWORK_MANAGER_TEMPLATE_FILE]: template('nft') });
    expect(digest({ [NETWORK_MANAGER_TEMPLATE_FILE]: `# a comment\n${template('nft')}` })).toBe(nft);
    expect(digest({ [NETWORK_MANAGER_TEMPLATE_FILE]: template('legacy') })).not.toBe(nft);
  });

  it('follows operator_config.yaml to the template it names', () => {
    const result = parseOperatorConfigMap({
      [OPERATOR_CONFIG_FILE]: 'sidecar:\n  networkManagerTemplate: nm-v2.yaml\n',
      'nm-v2.yaml': template('legacy'),
    });
    expect(result.ok && result.templates.networkManager.env).toEqual([{ name: 'IPTABLES', value: 'legacy' }]);
  });

  it('names the file and the field of every mistake', () => {
    const cases: [Record<string, string>, string][] = [
      [{ [NETWORK_MANAGER_TEMPLATE_FILE]: template('iptables-legacy') }, 'network_manager_container_template.yaml env[0].value: IPTABLES must be legacy, nft, auto; got "iptables-legacy"'],
      [{}, 'network_manager_container_template.yaml: is missing from the ConfigMap'],
      [{ [OPERATOR_CONFIG_FILE]: 'sidecar:\n  engne: {}\n', [NETWORK_MANAGER_TEMPLATE_FILE]: template('nft') }, 'operator_config.yaml sidecar: Unrecognized key: "engne"'],
      [{ [NETWORK_MANAGER_TEMPLATE_FILE]: 'image: [unclosed' }, 'network_manager_container_template.yaml: is not YAML'],
      [{ [NETWORK_MANAGER_TEMPLATE_FILE]: `${template('nft')}  - name: IPTABLES\n    value: auto\n` }, 'env[1].name: IPTABLES is set twice'],
    ];
    for (const [data, message] of cases) {
      const result = parseOperatorConfigMap(data);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(describeOperatorConfigIssues(result.issues)).toContain(message);
    }
  });

  it('is named per instance', () => {
    expect(operatorConfigMapName('default')).toBe('microgateway-operator-config');
    expect(operatorConfigMapName('blue')).toBe('microgateway-blue-operator-config');
  });
});
