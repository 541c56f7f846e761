import type { Role } from '../../contracts/auth';
import type { createAdminRepo } from './admin.repo';

export function createAdminService(repo: ReturnType<typeof createAdminRepo>) {
  return {
    async stats(): Promise<{ users: Record<Role, number> }> {
      const users: Record<Role, number> = { customer: 0, technician: 0, admin: 0 };
      for (const row of await repo.countUsersByRole()) users[row.role] = Number(row.count);
      return { users };
    },
  };
}
