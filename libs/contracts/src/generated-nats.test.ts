import { describe, expect, it } from 'vitest';
import { diffGolden, writeGolden } from './bin/golden.js';
import { natsAuthorizationFiles } from './bin/nats-authorization.js';
import { NATS_AUTHORIZATION_FILE } from './nats/authorization-conf.js';

// eslint-disable-next-line no-restricted-syntax -- the golden-update switch is a test-runner flag, not service configuration
const update = process.env['MGW_UPDATE_GOLDEN'] === '1';

describe('generated NATS authorization', () => {
  for (const { dir, content } of natsAuthorizationFiles()) {
    it(`is committed and up to date in ${dir.replace(/.*\/deploy\//, 'deploy/')}`, () => {
      const expected = new Map([[NATS_AUTHORIZATION_FILE, content]]);
      if (update) writeGolden(dir, expected, NATS_AUTHORIZATION_FILE);
      const diff = diffGolden(dir, expected, NATS_AUTHORIZATION_FILE);
      expect(
        [...diff.missing, ...diff.changed],
        `${dir}${NATS_AUTHORIZATION_FILE} is stale. Regenerate with ` +
          '`MGW_UPDATE_GOLDEN=1 npx vitest run --project unit` or `npm run build && npm run generate` in libs/contracts.',
      ).toEqual([]);
    });
  }
});
