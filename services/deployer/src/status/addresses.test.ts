import { describe, expect, it } from 'vitest';
import { gatewayAddresses } from './addresses.js';
import type { ServiceObservation } from './inputs.js';

const service = (over: Partial<ServiceObservation>): ServiceObservation => ({ type: 'ClusterIP', clusterIPs: ['10.96.0.20'], loadBalancerIngress: [], ...over });

describe('gatewayAddresses', () => {
  it.each([
    { name: 'no Service yet', svc: undefined, want: [] },
    { name: 'ClusterIP', svc: service({}), want: [{ type: 'IPAddress', value: '10.96.0.20' }] },
    {
      name: 'NodePort, dual stack',
      svc: service({ type: 'NodePort', clusterIPs: ['10.96.0.20', 'fd00::20'] }),
      want: [
        { type: 'IPAddress', value: '10.96.0.20' },
        { type: 'IPAddress', value: 'fd00::20' },
      ],
    },
    { name: 'headless', svc: service({ clusterIPs: ['None'] }), want: [] },
    { name: 'LoadBalancer without ingress: not the cluster IP', svc: service({ type: 'LoadBalancer' }), want: [] },
    {
      name: 'LoadBalancer ingress IPs and hostnames, in order, deduplicated',
      svc: service({ type: 'LoadBalancer', loadBalancerIngress: [{ hostname: 'lb.example.com' }, { ip: '203.0.113.7', hostname: 'lb.example.com' }, { ip: '203.0.113.7' }] }),
      want: [
        { type: 'Hostname', value: 'lb.example.com' },
        { type: 'IPAddress', value: '203.0.113.7' },
      ],
    },
  ])('$name', ({ svc, want }) => {
    expect(gatewayAddresses(svc)).toEqual(want);
  });
});
