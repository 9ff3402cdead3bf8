/** Repository analysis → CodeGuide's JSON (ids as strings, times ISO 8601 with Z). */
import type {
  AnalysisDocument,
  AnalysisResult,
  AnalysisTask,
  AnalyzedRepository,
} from '../../core/repository-analysis/repository-analysis.service.ts';
import { isoTime } from '../../core/shared/clock.ts';

export function presentAnalysisStatus(task: AnalysisTask) {
  return {
    task_id: task.id,
    status: task.status,
    message: task.message,
    progress: task.progress,
  };
}

export function presentAnalysisResult(task: AnalysisTask) {
  return {
    task_id: task.id,
    status: task.status,
    result: task.result ? presentResult(task.result) : null,
    ...(task.error ? { error: task.error } : {}),
  };
}

function presentDocument(document: AnalysisDocument) {
  return {
    document_type: document.documentType,
    status: document.status,
    ...(document.documentId ? { document_id: document.documentId } : {}),
    ...(document.error ? { error: document.error } : {}),
  };
}

function presentResult(result: AnalysisResult) {
  const r = result.repository;
  return {
    repository: {
      id: r.id,
      repository_url: r.url,
      name: r.name,
      user_id: r.userUuid,
      branch: r.branch,
      commit: r.commit,
      created_at: isoTime(r.createdAt),
      updated_at: isoTime(r.updatedAt),
    },
    documents: result.documents.map(presentDocument),
    statistics: { ...result.statistics },
    summary: result.summary,
    codespace_task_id: result.codespaceTaskId,
    warnings: result.warnings,
  };
}

export function presentRepository(repository: AnalyzedRepository) {
  return {
    id: repository.id,
    repository_url: repository.url,
    name: repository.name,
    user_id: repository.userUuid,
    created_at: isoTime(repository.createdAt),
    updated_at: isoTime(repository.updatedAt),
  };
}

export function presentRepositoryDetail(repository: AnalyzedRepository) {
  const a = repository.analysisResults;
  return {
    ...presentRepository(repository),
    analysis_results: {
      task_id: a.taskId,
      analyzed_at: isoTime(a.analyzedAt),
      branch: a.repository.branch,
      commit: a.repository.commit,
      summary: a.summary,
      statistics: a.statistics,
      documents: a.documents.map(presentDocument),
      codespace_task_id: a.codespaceTaskId,
      warnings: a.warnings,
    },
  };
}
