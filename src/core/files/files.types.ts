/** A stored file: a task's artifact or a user's upload, pointing at a blob. */
export interface StoredFile {
  id: string;
  tenantId: string;
  userId: number;
  taskId: string | null;
  kind: 'artifact' | 'upload';
  name: string;
  sha256: string;
  size: number;
  contentType: string;
  description: string | null;
  status: string;
  createdAt: number;
}
