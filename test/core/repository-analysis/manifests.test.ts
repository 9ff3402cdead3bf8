/**
 * Dependency manifests are read simply and robustly: each supported format's usual
 * shapes give their dependencies with version and type, and junk (truncated, binary,
 * adversarial inputs that would make a backtracking parser quadratic) never throws.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { readManifest } from '../../../src/core/repository-analysis/manifests.ts';

const deps = (path: string, text: string) =>
  readManifest(path, text)!.dependencies.map((d) => `${d.name}@${d.version ?? '*'}:${d.type}`);

test('package.json: dependencies and devDependencies; junk values skipped', () => {
  const text = JSON.stringify({
    dependencies: { react: '^18.2.0', weird: 42 },
    devDependencies: { vitest: '1.6.0' },
    peerDependencies: { ignored: '1' },
  });
  assert.deepEqual(deps('package.json', text), [
    'react@^18.2.0:runtime',
    'weird@*:runtime',
    'vitest@1.6.0:dev',
  ]);
  assert.equal(readManifest('web/package.json', text)!.path, 'web/package.json');
  assert.equal(readManifest('src/app.ts', text), undefined);
});

test('requirements.txt: PEP 508 lines; comments, options, URLs and paths skipped', () => {
  const text = [
    'Django>=4.2,<5  # web',
    'requests[socks]==2.31.0 ; python_version >= "3.8"',
    'pkg @ https://example.com/pkg.whl',
    '-e git+https://github.com/a/b.git#egg=b',
    '--index-url https://pypi.example.com',
    './local/path',
    'https://example.com/x.tar.gz',
    '',
    'numpy',
  ].join('\n');
  assert.deepEqual(deps('requirements-dev.txt', text), [
    'Django@>=4.2,<5:runtime',
    'requests@==2.31.0:runtime',
    'pkg@https://example.com/pkg.whl:runtime',
    'numpy@*:runtime',
  ]);
});

test('pyproject.toml: PEP 621 (multi-line arrays, optional groups) and Poetry tables', () => {
  const text = `
[project]
name = "demo"
dependencies = [
  "fastapi>=0.110",  # the API
  'uvicorn[standard]',
]
[project.optional-dependencies]
docs = ["mkdocs"]

[tool.poetry.dependencies]
python = "^3.11"
httpx = { version = "^0.27", extras = ["http2"] }
[tool.poetry.group.dev.dependencies]
pytest = "^8"
`;
  assert.deepEqual(deps('pyproject.toml', text), [
    'fastapi@>=0.110:runtime',
    'uvicorn@*:runtime',
    'mkdocs@*:optional',
    'httpx@^0.27:runtime',
    'pytest@^8:dev',
  ]);
});

test('go.mod: single requires and blocks; indirect marked', () => {
  const text = `module example.com/app

go 1.22

require github.com/gin-gonic/gin v1.9.1

require (
\tgolang.org/x/text v0.14.0 // indirect
\tgithub.com/stretchr/testify v1.8.4
)
`;
  assert.deepEqual(deps('go.mod', text), [
    'github.com/gin-gonic/gin@v1.9.1:runtime',
    'golang.org/x/text@v0.14.0:indirect',
    'github.com/stretchr/testify@v1.8.4:runtime',
  ]);
});

test('Cargo.toml: dependency tables, inline tables, target-specific ones', () => {
  const text = `[package]
name = "demo"

[dependencies]
serde = { version = "1.0", features = ["derive"] }
tokio = "1"
local = { path = "../local" }

[dev-dependencies]
criterion = "0.5"

[target.'cfg(unix)'.dependencies]
nix = "0.28"
`;
  assert.deepEqual(deps('Cargo.toml', text), [
    'serde@1.0:runtime',
    'tokio@1:runtime',
    'local@*:runtime',
    'criterion@0.5:dev',
    'nix@0.28:runtime',
  ]);
});

test('pom.xml: dependencies with scope; managed versions, plugins and comments left out', () => {
  const text = `<project>
  <dependencyManagement><dependencies><dependency>
    <groupId>managed</groupId><artifactId>bom</artifactId><version>1</version>
  </dependency></dependencies></dependencyManagement>
  <dependencies>
    <!-- <dependency><groupId>commented</groupId><artifactId>out</artifactId></dependency> -->
    <dependency>
      <groupId>org.springframework</groupId>
      <artifactId>spring-core</artifactId>
      <version>6.1.0</version>
    </dependency>
    <dependency>
      <groupId>junit</groupId><artifactId>junit</artifactId><version>4.13</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build><plugins><plugin><dependencies><dependency>
    <groupId>plugin</groupId><artifactId>dep</artifactId>
  </dependency></dependencies></plugin></plugins></build>
</project>`;
  assert.deepEqual(deps('pom.xml', text), [
    'org.springframework:spring-core@6.1.0:runtime',
    'junit:junit@4.13:test',
  ]);
});

test('junk never throws', () => {
  const junk = [
    '',
    '{"dependencies": {"a": ',
    'null',
    '[1,2,3]',
    randomBytes(4096).toString('latin1'),
    '[project]\ndependencies = [\n"a",\n',
    '[[[[[\n= = =\n"unterminated\n',
    'a = {b = {c = {d = ',
    `x = ${'['.repeat(10_000)}`,
    '<dependency>'.repeat(80_000),
    '<!--'.repeat(80_000),
    `<dependencyManagement>${'<dependency><artifactId>x'.repeat(20_000)}`,
    `require (\n${'\t'.repeat(100_000)}`,
  ];
  for (const name of [
    'package.json',
    'requirements.txt',
    'pyproject.toml',
    'go.mod',
    'Cargo.toml',
    'pom.xml',
  ])
    for (const text of junk) {
      const manifest = readManifest(name, text);
      assert.ok(manifest && Array.isArray(manifest.dependencies), `${name}: ${text.slice(0, 20)}`);
    }
});
