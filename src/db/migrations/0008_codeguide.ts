import { type Kysely, sql } from 'kysely';
import { columnTypes, dialectOf } from '../dialect.ts';

/**
 * CodeGuide's planning data: the catalogs (document types, AI tools, project
 * categories, seeded here), projects with their generated documents, task groups,
 * project tasks, background generation jobs and notifications. Every owned row carries
 * tenant and user; a project's documents, groups and tasks go with it (cascade).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const owned = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'));
  const catalog = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('key', t.text, (c) => c.notNull().unique())
      .addColumn('name', t.text, (c) => c.notNull())
      .addColumn('description', t.text, (c) => c.notNull())
      .addColumn('is_active', t.bool, (c) => c.notNull().defaultTo(1))
      .addColumn('ordinal', t.int, (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addColumn('updated_at', t.time, (c) => c.notNull());

  await catalog('document_types').execute();
  await catalog('ai_tools')
    .addColumn('category', t.text, (c) => c.notNull())
    .execute();
  await catalog('project_categories').execute();

  await owned('projects')
    .addColumn('title', t.text, (c) => c.notNull())
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('category_id', t.id, (c) =>
      c.references('project_categories.id').onDelete('set null'),
    )
    .addColumn('codie_tool_id', t.id, (c) => c.references('ai_tools.id').onDelete('set null'))
    .addColumn('tools_selected', t.json, (c) => c.notNull())
    .addColumn('ai_questionaire', t.json)
    .addColumn('project_outline', t.json)
    .addColumn('github_url', t.text)
    // lower(title || ' ' || description): what search_query matches, kept by the repo.
    .addColumn('search_text', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index projects_user on projects (user_id, created_at desc, id)`.execute(db);

  await owned('project_documents')
    .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('document_type', t.text, (c) => c.notNull())
    .addColumn('content', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create unique index project_documents_type on project_documents (project_id, document_type)`.execute(
    db,
  );

  await owned('task_groups')
    .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index task_groups_user on task_groups (user_id, created_at desc, id)`.execute(
    db,
  );
  await sql`create index task_groups_project on task_groups (project_id)`.execute(db);

  await owned('project_tasks')
    .addColumn('task_group_id', t.id, (c) =>
      c.notNull().references('task_groups.id').onDelete('cascade'),
    )
    .addColumn('parent_task_id', t.id, (c) => c.references('project_tasks.id').onDelete('cascade'))
    .addColumn('title', t.text, (c) => c.notNull())
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('ordinal', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('search_text', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index project_tasks_user on project_tasks (user_id, created_at desc, id)`.execute(
    db,
  );
  await sql`create index project_tasks_group on project_tasks (task_group_id)`.execute(db);
  await sql`create index project_tasks_parent on project_tasks (parent_task_id)`.execute(db);

  await owned('generation_jobs')
    .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('document_types', t.json, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('progress', t.json, (c) => c.notNull())
    .addColumn('results', t.json, (c) => c.notNull())
    .addColumn('error', t.text)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await owned('notifications')
    .addColumn('type', t.text, (c) => c.notNull())
    .addColumn('title', t.text, (c) => c.notNull())
    .addColumn('message', t.text, (c) => c.notNull())
    .addColumn('is_read', t.bool, (c) => c.notNull().defaultTo(0))
    .addColumn('event_id', t.id)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index notifications_user on notifications (user_id, created_at desc, id)`.execute(
    db,
  );

  await searchIndexes(db);
  await seed(db);
}

/**
 * search_query is a case-insensitive substring match over `search_text` (the lowercased
 * title and description), served by a trigram index on both engines:
 * - PostgreSQL: a pg_trgm GIN index, which serves `like '%…%'` (when the extension
 *   cannot be created, search still works by scanning the user's rows);
 * - SQLite: an FTS5 table with the trigram tokenizer over the same column (external
 *   content keyed by the row's rowid, kept in step by triggers), whose index serves
 *   `like '%…%'` too. Rowids of these tables are stable unless someone runs VACUUM;
 *   after one, rebuild with `insert into projects_fts(projects_fts) values ('rebuild')`
 *   (and the same for project_tasks_fts).
 */
async function searchIndexes(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    for (const table of ['projects', 'project_tasks']) {
      const fts = sql.raw(`${table}_fts`);
      const base = sql.raw(table);
      await sql`create virtual table ${fts} using fts5(search_text, content=${sql.lit(table)}, content_rowid='rowid', tokenize='trigram')`.execute(
        db,
      );
      await sql`create trigger ${sql.raw(`${table}_fts_insert`)} after insert on ${base} begin
        insert into ${fts}(rowid, search_text) values (new.rowid, new.search_text); end`.execute(
        db,
      );
      await sql`create trigger ${sql.raw(`${table}_fts_delete`)} after delete on ${base} begin
        insert into ${fts}(${fts}, rowid, search_text) values ('delete', old.rowid, old.search_text); end`.execute(
        db,
      );
      await sql`create trigger ${sql.raw(`${table}_fts_update`)} after update of search_text on ${base} begin
        insert into ${fts}(${fts}, rowid, search_text) values ('delete', old.rowid, old.search_text);
        insert into ${fts}(rowid, search_text) values (new.rowid, new.search_text); end`.execute(
        db,
      );
    }
    return;
  }
  try {
    await sql`create extension if not exists pg_trgm`.execute(db);
  } catch {
    return; // not permitted: search still works, by scanning the user's rows
  }
  await sql`create index projects_search on projects using gin (search_text gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index project_tasks_search on project_tasks using gin (search_text gin_trgm_ops)`.execute(
    db,
  );
}

const DOCUMENT_TYPES: [string, string, string][] = [
  ['prd', 'Project Requirements Document', 'What the product must do, for whom, and why.'],
  ['app_flow', 'App Flow', 'The screens and the paths a user takes through them.'],
  ['tech_stack', 'Tech Stack', 'Languages, frameworks, services and why each was chosen.'],
  ['frontend_guidelines', 'Frontend Guidelines', 'Design system, components and conventions.'],
  ['backend_structure', 'Backend Structure', 'Data model, APIs, authentication and storage.'],
  ['implementation_plan', 'Implementation Plan', 'Ordered steps to build the project.'],
];

const AI_TOOLS: [string, string, string, string][] = [
  ['cursor', 'Cursor', 'AI-first code editor.', 'ide'],
  ['windsurf', 'Windsurf', 'Agentic IDE by Codeium.', 'ide'],
  ['claude_code', 'Claude Code', "Anthropic's agentic coding tool in the terminal.", 'cli'],
  ['github_copilot', 'GitHub Copilot', 'AI pair programmer in the editor.', 'ide'],
  ['bolt', 'Bolt', 'Prompt-to-app builder in the browser.', 'app_builder'],
  ['lovable', 'Lovable', 'Prompt-to-app builder.', 'app_builder'],
  ['v0', 'v0', 'UI generation by Vercel.', 'app_builder'],
];

const CATEGORIES: [string, string, string][] = [
  ['web_app', 'Web App', 'Applications used in a browser.'],
  ['mobile_app', 'Mobile App', 'iOS and Android applications.'],
  ['api', 'API', 'Backend services and APIs.'],
  ['cli', 'CLI Tool', 'Command-line tools.'],
  ['ai_agent', 'AI Agent', 'LLM-driven agents and assistants.'],
  ['other', 'Other', 'Anything else.'],
];

async function seed(db: Kysely<any>): Promise<void> {
  const now = Date.now();
  // Fixed ids (UUIDv7-shaped, time 0) so every installation names the seeds alike.
  const id = (n: number) => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
  await db
    .insertInto('document_types')
    .values(
      DOCUMENT_TYPES.map(([key, name, description], i) => ({
        id: id(0x100 + i),
        key,
        name,
        description,
        is_active: 1,
        ordinal: i + 1,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  await db
    .insertInto('ai_tools')
    .values(
      AI_TOOLS.map(([key, name, description, category], i) => ({
        id: id(0x200 + i),
        key,
        name,
        description,
        category,
        is_active: 1,
        ordinal: i + 1,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  await db
    .insertInto('project_categories')
    .values(
      CATEGORIES.map(([key, name, description], i) => ({
        id: id(0x300 + i),
        key,
        name,
        description,
        is_active: 1,
        ordinal: i + 1,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite')
    for (const fts of ['projects_fts', 'project_tasks_fts'])
      await sql`drop table if exists ${sql.raw(fts)}`.execute(db);
  for (const table of [
    'notifications',
    'generation_jobs',
    'project_tasks',
    'task_groups',
    'project_documents',
    'projects',
    'project_categories',
    'ai_tools',
    'document_types',
  ])
    await db.schema.dropTable(table).execute();
}
