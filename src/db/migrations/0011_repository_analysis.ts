import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

/**
 * CodeGuide's repository analysis: the analysed repositories (one per user and URL,
 * holding the latest analysis) and the analysis tasks (one per request, run by the
 * `repository.analyze` job). A task's id is random (it is read without credentials);
 * deleting a repository deletes the tasks that analysed it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('analyzed_repositories')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('repository_url', t.text, (c) => c.notNull())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('analysis_results', t.json, (c) => c.notNull())
    .addColumn('last_task_id', t.id, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addUniqueConstraint('analyzed_repositories_user_url', ['user_id', 'repository_url'])
    .execute();
  await sql`create index analyzed_repositories_user on analyzed_repositories (user_id, created_at desc, id)`.execute(
    db,
  );

  await db.schema
    .createTable('repository_analysis_tasks')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('repository_url', t.text, (c) => c.notNull())
    .addColumn('project_id', t.id, (c) => c.references('projects.id').onDelete('set null'))
    .addColumn('repository_id', t.id, (c) =>
      c.references('analyzed_repositories.id').onDelete('cascade'),
    )
    .addColumn('generate_documents', t.bool, (c) => c.notNull())
    .addColumn('create_codespace_task', t.bool, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('message', t.text, (c) => c.notNull())
    .addColumn('progress', t.int, (c) => c.notNull())
    // What each finished step left, so a retried job resumes after it.
    .addColumn('source', t.json)
    .addColumn('statistics', t.json)
    .addColumn('summary', t.text)
    .addColumn('documents', t.json)
    .addColumn('codespace_task_id', t.id)
    .addColumn('warnings', t.json, (c) => c.notNull())
    // The finished analysis as shown by …/result (a snapshot: later analyses of the
    // same repository do not change it).
    .addColumn('result', t.json)
    .addColumn('error', t.text)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index repository_analysis_tasks_user on repository_analysis_tasks (user_id, created_at desc)`.execute(
    db,
  );
  await sql`create index repository_analysis_tasks_repository on repository_analysis_tasks (repository_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('repository_analysis_tasks').ifExists().execute();
  await db.schema.dropTable('analyzed_repositories').ifExists().execute();
}
