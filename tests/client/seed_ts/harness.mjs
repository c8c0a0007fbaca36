// Runs the seed guide's TypeScript examples, stripped to JavaScript by
// tests/client/test_seed_typescript.py, against a live Rolodex and prints one JSON
// line of results for the test to check.
//
//   TWENTY_API_KEY=... TWENTY_BASE_URL=http://127.0.0.1:PORT \
//     node harness.mjs <dir of stripped .mjs files> <step>...
//
// Importing twenty-client.mjs runs the seed's usage block (createPerson John Doe);
// then each step runs in the order given. The snippets other than the client use a
// free `client` and top-level await, as in the guide, so each runs as the body of an
// async function whose only parameter is `client`.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const GUIDE_URL = 'http://localhost:8080';
const target = process.env.TWENTY_BASE_URL;
if (!target) throw new Error('TWENTY_BASE_URL is not set');

// The client's default base URL is the guide's localhost:8080; send it to the test
// server instead, and count requests and how many were in flight at once.
const traffic = { requests: 0, inFlight: 0, maxInFlight: 0 };
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const text = String(url);
  if (!text.startsWith(`${GUIDE_URL}/`)) throw new Error(`unexpected URL ${text}`);
  traffic.requests += 1;
  traffic.inFlight += 1;
  traffic.maxInFlight = Math.max(traffic.maxInFlight, traffic.inFlight);
  try {
    return await realFetch(target + text.slice(GUIDE_URL.length), init);
  } finally {
    traffic.inFlight -= 1;
  }
};

const dir = process.argv[2];
const AsyncFunction = (async () => {}).constructor;

// A snippet file as `async (client) => { <snippet>; return { <names> }; }`.
function snippet(file, ...names) {
  const body = readFileSync(join(dir, file), 'utf8');
  return new AsyncFunction('client', `${body}\nreturn { ${names.join(', ')} };`);
}

// Counts the requests `work` makes and the most that were in flight together.
async function measured(work) {
  const before = traffic.requests;
  traffic.maxInFlight = 0;
  const started = Date.now();
  const result = await work();
  return {
    ...result,
    requests: traffic.requests - before,
    maxInFlight: traffic.maxInFlight,
    elapsedMs: Date.now() - started,
  };
}

async function method4(client, file) {
  const { company, person } = await snippet(file, 'company', 'person')(client);
  // What the seed's own getPeople query sees for the new person.
  const found = await client.getPeople({ email: { eq: 'john@acme.com' } });
  return { company, person, found: found.people.edges.map((e) => e.node) };
}

const STEPS = {
  method4: (client) => method4(client, 'method4-company.mjs'),
  'method4-corrected': (client) => method4(client, 'method4-corrected.mjs'),
  method3: (client) => measured(() => snippet('method3-batch.mjs', 'people')(client)),
  pagination: async (client) => {
    const { getAllPeople } = await snippet('pagination-loop.mjs', 'getAllPeople')(client);
    return measured(async () => ({ ids: (await getAllPeople()).map((p) => p.id) }));
  },
  upsert: async (client) => {
    const { upsertPerson } = await snippet('method5-upsert.mjs', 'upsertPerson')(client);
    const existing = await upsertPerson('john@example.com', {
      name: 'John Q. Doe',
      email: 'john@example.com',
      jobTitle: 'Sales Manager',
    });
    const created = await upsertPerson('jane@example.com', {
      name: 'Jane Doe',
      email: 'jane@example.com',
      phone: '+1-555-0199',
    });
    return { existing, created };
  },
};

const steps = process.argv.slice(3);
for (const step of steps) if (!(step in STEPS)) throw new Error(`unknown step ${step}`);
const seed = await import(pathToFileURL(join(dir, 'twenty-client.mjs')).href);
const results = { usage: seed.person };
for (const step of steps) results[step] = await STEPS[step](seed.client);
console.log(JSON.stringify(results));
