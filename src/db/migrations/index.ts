/**
 * Every migration, in order. A static list (not a directory scan) so the set that
 * runs is exactly the set that was reviewed, on SQLite and PostgreSQL alike.
 */
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_identity.ts';
import * as m0002 from './0002_task_engine.ts';
import * as m0003 from './0003_metering.ts';
import * as m0004 from './0004_assistant.ts';
import * as m0007 from './0007_cmbcluster.ts';
import * as m0008 from './0008_codeguide.ts';
import * as m0009 from './0009_autoscale.ts';
import * as m0009b from './0009_autoscale_job_indexes.ts';
import * as m0010 from './0010_codeguide_usage.ts';
import * as m0011 from './0011_repository_analysis.ts';
import * as m0012 from './0012_deploys.ts';
import * as m0013 from './0013_drop_unused_indexes.ts';

export const migrations: Record<string, Migration> = {
  '0001_identity': m0001,
  '0002_task_engine': m0002,
  '0003_metering': m0003,
  '0004_assistant': m0004,
  '0007_cmbcluster': m0007,
  '0008_codeguide': m0008,
  '0009_autoscale': m0009,
  '0009_autoscale_job_indexes': m0009b,
  '0010_codeguide_usage': m0010,
  '0011_repository_analysis': m0011,
  '0012_deploys': m0012,
  '0013_drop_unused_indexes': m0013,
};
