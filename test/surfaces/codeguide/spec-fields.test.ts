/**
 * Read from specs/codeguide-v1.md itself: for every endpoint of the planning half,
 * each field its Request Body shows is accepted by the route's body schema, and each
 * field its Response shows is declared by the route's response schema (so it is
 * serialised, never stripped). The contract tests check the values.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { readSpec, skipWithoutSpec } from '../../helpers/specs.ts';

const SPEC = 'codeguide-v1.md';
/** The planning half; the rest is issue 14's. */
const PART_ONE =
  /^\/(generate|projects|task-groups|project-tasks|document-types|ai-tools|users|notifications)\b/;

interface SpecEndpoint {
  method: string;
  path: string;
  request: string[];
  response: string[];
}

function endpointsOf(text: string): SpecEndpoint[] {
  const found: SpecEndpoint[] = [];
  const sections = text.split(/^#### /m).slice(1);
  for (const section of sections) {
    const head = /^(GET|POST|PUT|DELETE|PATCH) `([^`]+)`/.exec(section);
    if (!head) continue;
    const block = (label: string) => {
      const match = new RegExp(`\\*\\*${label}\\*\\*:\\s*\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(
        section,
      );
      return match ? [...match[1]!.matchAll(/"(\w+)":/g)].map((m) => m[1]!) : [];
    };
    found.push({
      method: head[1]!,
      path: head[2]!,
      request: block('Request Body'),
      response: block('Response'),
    });
  }
  return found;
}

/** Every property name a JSON schema declares, at any depth. */
function propertiesOf(schema: unknown, into = new Set<string>()): Set<string> {
  if (!schema || typeof schema !== 'object') return into;
  const s = schema as Record<string, unknown>;
  for (const [key, value] of Object.entries((s.properties as object) ?? {})) {
    into.add(key);
    propertiesOf(value, into);
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf'] as const) {
    const value = s[key];
    if (Array.isArray(value)) for (const v of value) propertiesOf(v, into);
    else propertiesOf(value, into);
  }
  return into;
}

describe('CodeGuide fields from the spec', { skip: skipWithoutSpec(SPEC) }, () => {
  let server: TestServer;
  let doc: { paths: Record<string, Record<string, any>> };
  before(async () => {
    server = await startServer();
    doc = (await client(server.url).get('/openapi/codeguide.json')).body;
  });
  after(() => server?.close());

  /** Each endpoint is served and accepts and declares every field the spec shows. */
  function checkFields(endpoints: SpecEndpoint[]): void {
    for (const endpoint of endpoints) {
      const label = `${endpoint.method} ${endpoint.path}`;
      const operation = doc.paths[endpoint.path]?.[endpoint.method.toLowerCase()];
      assert.ok(operation, `${label} is not served`);
      const body = operation.requestBody?.content?.['application/json']?.schema;
      const accepted = propertiesOf(body);
      for (const field of endpoint.request)
        assert.ok(accepted.has(field), `${label} does not accept ${field}`);
      const ok = operation.responses['200'] ?? operation.responses['201'];
      const declared = propertiesOf(ok?.content?.['application/json']?.schema);
      for (const field of endpoint.response)
        assert.ok(declared.has(field), `${label} does not declare ${field} in its answer`);
    }
  }

  test('every planning endpoint of the spec is served, with every documented field', () => {
    const endpoints = endpointsOf(readSpec(SPEC)).filter((e) => PART_ONE.test(e.path));
    assert.equal(endpoints.length, 33, endpoints.map((e) => `${e.method} ${e.path}`).join(', '));
    checkFields(endpoints);
  });

  test('every repository analysis endpoint is served, with every documented field', () => {
    const endpoints = endpointsOf(readSpec(SPEC)).filter((e) =>
      e.path.startsWith('/repository-analysis/'),
    );
    assert.equal(endpoints.length, 6, endpoints.map((e) => `${e.method} ${e.path}`).join(', '));
    checkFields(endpoints);
  });

  test('both Coolify endpoints of the spec are served, with every documented field', () => {
    const endpoints = endpointsOf(readSpec(SPEC)).filter((e) => e.path.startsWith('/coolify/'));
    assert.equal(endpoints.length, 2, endpoints.map((e) => `${e.method} ${e.path}`).join(', '));
    for (const endpoint of endpoints) {
      const label = `${endpoint.method} ${endpoint.path}`;
      const operation = doc.paths[endpoint.path]?.[endpoint.method.toLowerCase()];
      assert.ok(operation, `${label} is not served`);
      const body = operation.requestBody?.content?.['application/json']?.schema;
      const accepted = propertiesOf(body);
      for (const field of endpoint.request)
        assert.ok(accepted.has(field), `${label} does not accept ${field}`);
      const declared = propertiesOf(
        operation.responses['200']?.content?.['application/json']?.schema,
      );
      for (const field of endpoint.response)
        assert.ok(declared.has(field), `${label} does not declare ${field} in its answer`);
    }
  });
});
