// The nats-server `authorization` block shipped in deploy/: one user per role and instance with
// the permissions of permissions.ts. Passwords are nats-server variable references resolved from
// the server's environment, so the file holds no secret and can live in a ConfigMap.
import type { InstanceName } from '../instance.js';
import { NATS_ROLES, natsPasswordVariable, natsPermissions, natsUserName } from './permissions.js';

export const NATS_AUTHORIZATION_FILE = 'authorization.conf';

/** JSON string syntax is valid nats-server config and quotes `$`, `>` and `*` safely. */
const q = (value: string): string => JSON.stringify(value);

function renderList(values: readonly string[], indent: string): string {
  return `[\n${values.map((v) => `${indent}  ${q(v)}`).join('\n')}\n${indent}]`;
}

function renderUser(instance: InstanceName, role: (typeof NATS_ROLES)[number]): string {
  const { publish, subscribe } = natsPermissions(instance, role);
  const i = '      ';
  return [
    '    {',
    `${i}user: ${q(natsUserName(instance, role))}`,
    `${i}password: $${natsPasswordVariable(instance, role)}`,
    `${i}permissions: {`,
    `${i}  publish: { allow: ${renderList(publish.allow, `${i}  `)} }`,
    `${i}  subscribe: { allow: ${renderList(subscribe.allow, `${i}  `)} }`,
    `${i}}`,
    '    }',
  ].join('\n');
}

/** The `authorization { users: [...] }` fragment for every role of these instances (pure). */
export function renderNatsAuthorization(instances: readonly InstanceName[]): string {
  const variables = instances.flatMap((instance) => NATS_ROLES.map((role) => natsPasswordVariable(instance, role)));
  return [
    '# Generated from libs/contracts/src/nats/permissions.ts by `npm run generate -w libs/contracts`; do not edit.',
    '# Include it from nats.conf. Every password is read from the nats-server environment:',
    ...variables.map((v) => `#   ${v}`),
    'authorization {',
    '  users: [',
    instances.flatMap((instance) => NATS_ROLES.map((role) => renderUser(instance, role))).join(',\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}
