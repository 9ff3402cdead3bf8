/** CodeGuide's wire shapes (specs/codeguide-v1.md), as TypeBox schemas. */
import { type TProperties, type TSchema, Type } from 'typebox';
import { IsoTime, Limit, Nullable, PageNumber, StrictObject } from '../../http/schemas.ts';

export const ErrorSchema = Type.Object({ detail: Type.Unknown() });

/** Required text: at least one non-space character. */
const Required = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });
const Title = () => Required(500);
const Description = () => Type.String({ maxLength: 20_000 });
const Uuid = () => Type.String({ minLength: 1, maxLength: 64 });
const JsonObject = () => Type.Record(Type.String(), Type.Unknown(), { maxProperties: 500 });
const Strings = (maxItems: number, maxLength = 200) =>
  Type.Array(Type.String({ minLength: 1, maxLength }), { maxItems });
/** Response objects keep any field the presenter adds (the documented ones are listed). */
const Open = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: true });

export const Success = <T extends TSchema>(data: T) =>
  Type.Object({ status: Type.Literal('success'), data });
export const SuccessPage = <T extends TSchema>(item: T) =>
  Type.Object({
    status: Type.Literal('success'),
    data: Type.Array(item),
    pagination: Type.Object({
      total: Type.Integer(),
      page: Type.Integer(),
      page_size: Type.Integer(),
      total_pages: Type.Integer(),
    }),
  });
export const SuccessMessage = Type.Object({
  status: Type.Literal('success'),
  message: Type.String(),
});

export const IdParam = (name: string) =>
  Type.Object({ [name]: Type.String({ minLength: 1, maxLength: 200 }) });

const PageSize = () => Limit(100, 10);
const YMD = () => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Search = () => Type.String({ maxLength: 200 });

// ── Catalogs ────────────────────────────────────────────────────────────────
export const CatalogEntrySchema = Open({
  id: Type.String(),
  key: Type.String(),
  name: Type.String(),
  description: Type.String(),
  is_active: Type.Boolean(),
  ordinal: Type.Integer(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
});
export const AiToolSchema = Open({ ...CatalogEntrySchema.properties, category: Type.String() });
export const DocumentTypesQuery = Type.Object({
  key: Type.Optional(Type.String({ maxLength: 100 })),
});
export const AiToolsQuery = Type.Object({
  key: Type.Optional(Type.String({ maxLength: 100 })),
  category: Type.Optional(Type.String({ maxLength: 100 })),
});

export const MeSchema = Open({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
});

// ── Projects ────────────────────────────────────────────────────────────────
export const ProjectDocumentSchema = Open({
  id: Type.String(),
  project_id: Type.String(),
  document_type: Type.String(),
  content: Type.String(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
});
export const ProjectSchema = Open({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  user_id: Type.String(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
});
export const ProjectDetailSchema = Open({
  ...ProjectSchema.properties,
  project_documents: Type.Array(ProjectDocumentSchema),
  category: Nullable(CatalogEntrySchema),
  codie_tool: Nullable(AiToolSchema),
});

const projectFields = {
  category_id: Type.Optional(Nullable(Uuid())),
  codie_tool_id: Type.Optional(Nullable(Uuid())),
  tools_selected: Type.Optional(Strings(50, 100)),
  ai_questionaire: Type.Optional(Nullable(JsonObject())),
  project_outline: Type.Optional(Nullable(JsonObject())),
  github_url: Type.Optional(Nullable(Type.String({ maxLength: 500, pattern: '^https?://\\S+$' }))),
};
export const CreateProjectBody = StrictObject({
  title: Title(),
  description: Description(),
  ...projectFields,
});
export const UpdateProjectBody = StrictObject({
  title: Type.Optional(Title()),
  description: Type.Optional(Description()),
  ...projectFields,
  status: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
});
export const ProjectsPageQuery = Type.Object({
  page: Type.Optional(PageNumber(100)),
  page_size: Type.Optional(PageSize()),
  search_query: Type.Optional(Search()),
  status: Type.Optional(Type.String({ maxLength: 50 })),
  start_date: Type.Optional(YMD()),
  end_date: Type.Optional(YMD()),
  sort_by_date: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
});

// ── Task groups and project tasks ───────────────────────────────────────────
export const ProjectTaskSchema = Open({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  status: Type.String(),
  user_id: Type.String(),
  task_group_id: Type.String(),
  parent_task_id: Nullable(Type.String()),
  ordinal: Type.Integer(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
});
export const ProjectTaskDetailSchema = Open({
  ...ProjectTaskSchema.properties,
  subtasks: Type.Array(ProjectTaskSchema),
});
export const TaskGroupSchema = Open({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  user_id: Type.String(),
  project_id: Type.String(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
});
export const TaskGroupDetailSchema = Open({
  ...TaskGroupSchema.properties,
  project_tasks: Type.Array(ProjectTaskSchema),
});

export const CreateTaskGroupBody = StrictObject({
  name: Required(200),
  description: Description(),
  project_id: Uuid(),
});
export const UpdateTaskGroupBody = StrictObject({
  name: Type.Optional(Required(200)),
  description: Type.Optional(Description()),
  project_id: Type.Optional(Uuid()),
});
export const TaskGroupsPageQuery = Type.Object({
  page: Type.Optional(PageNumber(100)),
  page_size: Type.Optional(PageSize()),
  project_id: Type.Optional(Uuid()),
});

const Ordinal = () => Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 });
export const CreateProjectTaskBody = StrictObject({
  title: Title(),
  description: Description(),
  task_group_id: Uuid(),
  parent_task_id: Type.Optional(Nullable(Uuid())),
  ordinal: Type.Optional(Ordinal()),
});
export const UpdateProjectTaskBody = StrictObject({
  title: Type.Optional(Title()),
  description: Type.Optional(Description()),
  status: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  task_group_id: Type.Optional(Uuid()),
  parent_task_id: Type.Optional(Nullable(Uuid())),
  ordinal: Type.Optional(Ordinal()),
});
const taskFilters = {
  task_group_id: Type.Optional(Uuid()),
  parent_task_id: Type.Optional(Uuid()),
  status: Type.Optional(Type.String({ maxLength: 50 })),
};
export const ProjectTasksQuery = Type.Object(taskFilters);
export const ProjectTasksPageQuery = Type.Object({
  page: Type.Optional(PageNumber(100)),
  page_size: Type.Optional(PageSize()),
  ...taskFilters,
  search_query: Type.Optional(Search()),
});

// ── Notifications ───────────────────────────────────────────────────────────
export const NotificationSchema = Open({
  id: Type.String(),
  user_id: Type.String(),
  type: Type.String(),
  title: Type.String(),
  message: Type.String(),
  is_read: Type.Boolean(),
  created_at: IsoTime(),
});
export const NotificationsQuery = Type.Object({
  unread_only: Type.Optional(Type.Boolean({ default: false })),
  limit: Type.Optional(Limit(200, 50)),
});
// ── Generation ──────────────────────────────────────────────────────────────
const Long = () => Type.String({ maxLength: 100_000 });
const Answers = () => JsonObject();
const Tools = () => Strings(50);
const ImageUrls = () =>
  Type.Array(Type.String({ minLength: 1, maxLength: 2000, pattern: '^(https?://|data:image/)' }), {
    maxItems: 10,
  });
const contextFields = {
  outline: Type.Optional(Long()),
  prd: Type.Optional(Long()),
  app_flow: Type.Optional(Long()),
  tech_stack_doc: Type.Optional(Long()),
  starter_kit: Type.Optional(Long()),
};

export const RefinePromptBody = StrictObject({
  user_prompt: Required(20_000),
  image_urls: Type.Optional(ImageUrls()),
});
export const TitleBody = StrictObject({
  description: Required(20_000),
  is_deep_research: Type.Optional(Type.Boolean()),
});
export const QuestionnaireBody = StrictObject({ project_context: Required(20_000) });
export const PrdBody = StrictObject({
  description: Required(20_000),
  selected_tools: Tools(),
  answers: Answers(),
  outline: Type.Optional(Long()),
});
export const CategoryBody = StrictObject({
  title: Title(),
  existing_categories: Type.Optional(Strings(100)),
});
export const OutlineBody = StrictObject({
  project_type: Required(200),
  description: Required(20_000),
  selected_tools: Tools(),
  answers: Answers(),
  custom_document_type: Type.Optional(Type.String({ maxLength: 200 })),
  title: Type.Optional(Type.String({ maxLength: 500 })),
  ...contextFields,
});
export const DocumentBody = StrictObject({
  project_type: Type.Optional(Type.String({ maxLength: 200 })),
  description: Required(20_000),
  selected_tools: Tools(),
  answers: Answers(),
  custom_document_type: Type.Optional(Type.String({ maxLength: 200 })),
  title: Type.Optional(Type.String({ maxLength: 500 })),
  ...contextFields,
});
export const MultipleDocumentsBody = StrictObject({
  project_id: Uuid(),
  description: Required(20_000),
  selected_tools: Tools(),
  document_types: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    minItems: 1,
    maxItems: 20,
  }),
  answers: Answers(),
  ...contextFields,
});
export const BackgroundBody = StrictObject({
  project_id: Uuid(),
  document_types: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 20 }),
  ),
});

export const RefinedPromptSchema = Type.Object({ refined_prompt: Type.String() });
export const TitleSchema = Type.Object({ title: Type.String() });
export const QuestionsSchema = Type.Object({ questions: Type.Array(Type.String()) });
export const ContentSchema = Type.Object({ content: Type.String() });
export const CategorySchema = Type.Object({ category: Type.String() });
export const OutlineSchema = Type.Object({ outline: Type.String() });
export const MultipleResultSchema = Open({
  success: Type.Boolean(),
  error: Type.Optional(Type.String()),
});
export const BackgroundStartedSchema = Type.Object({
  job_id: Type.String(),
  status: Type.String(),
  message: Type.String(),
});
export const BackgroundStatusSchema = Type.Object({
  job_id: Type.String(),
  status: Type.String(),
  progress: Type.Record(Type.String(), Type.String()),
  results: Type.Record(Type.String(), Type.Unknown()),
  error: Type.Optional(Type.String()),
});
