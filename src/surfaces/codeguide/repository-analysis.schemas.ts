/** Wire shapes of CodeGuide's repository analysis routes (specs/codeguide-v1.md §7). */
import { type TProperties, Type } from 'typebox';
import { IsoTime, Limit, Nullable, Offset, StrictObject } from '../../http/schemas.ts';

const Open = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: true });
const Anything = () => Type.Record(Type.String(), Type.Unknown());

export const AnalyzeBody = StrictObject({
  repository_url: Type.String({ minLength: 1, maxLength: 2048 }),
  generate_documents: Type.Optional(Type.Boolean({ default: false })),
  create_codespace_task: Type.Optional(Type.Boolean({ default: false })),
  project_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

export const AnalysisStartedSchema = Type.Object({
  task_id: Type.String(),
  status: Type.String(),
  message: Type.String(),
});

export const AnalysisStatusSchema = Type.Object({
  task_id: Type.String(),
  status: Type.String(),
  message: Type.String(),
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
});

const AnalysedRepositorySchema = Open({
  id: Type.String(),
  repository_url: Type.String(),
  name: Type.String(),
  user_id: Type.String(),
  branch: Nullable(Type.String()),
  commit: Type.String(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
});

const AnalysisDocumentSchema = Open({
  document_type: Type.String(),
  status: Type.String(),
  document_id: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});

export const AnalysisResultSchema = Type.Object({
  task_id: Type.String(),
  status: Type.String(),
  result: Nullable(
    Open({
      repository: AnalysedRepositorySchema,
      documents: Type.Array(AnalysisDocumentSchema),
      statistics: Anything(),
      summary: Nullable(Type.String()),
      codespace_task_id: Nullable(Type.String()),
      warnings: Type.Array(Type.String()),
    }),
  ),
  error: Type.Optional(Type.String()),
});

export const RepositoriesQuery = Type.Object({
  skip: Offset(),
  limit: Limit(100, 10),
});

export const RepositorySchema = Open({
  id: Type.String(),
  repository_url: Type.String(),
  name: Type.String(),
  user_id: Type.String(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
});

export const RepositoryDetailSchema = Open({
  ...RepositorySchema.properties,
  analysis_results: Anything(),
});

export const RepositoriesSchema = Type.Object({
  repositories: Type.Array(RepositorySchema),
  total: Type.Integer(),
});
