import type { Db } from '../../../db/client';
import type { OfferRow } from '../../../db/schema';
import type { Bus } from '../../realtime/bus';
import type { SessionStore } from '../auth/session';
import type { CatalogService } from '../catalog/catalog.service';
import type { MarketService } from '../market/market.service';
import type { TechnicianRecords } from '../technician/technician.records';
import type { FileStore } from '../upload/storage';
import { createConsoleAuditService } from './audit.service';
import { createConsoleCatalogService } from './catalog.service';
import type { RiskThresholds } from './risk.config';
import { createConsoleUsersService } from './users.service';

/** The operations console's users, catalogue and audit services (issue 14 §3–§5), composed once. */
export function createConsole(deps: {
  db: Db;
  bus: Bus;
  sessions: SessionStore;
  catalog: CatalogService;
  markets: MarketService;
  risk: RiskThresholds;
  technicians: Pick<TechnicianRecords, 'withdrawOpenOffers'>;
  offersWithdrawn: (technicianId: string, offers: OfferRow[]) => void;
  technicianChanged: (id: string) => Promise<void>;
  files: Pick<FileStore, 'remove'>;
}) {
  return {
    users: createConsoleUsersService(deps),
    catalog: createConsoleCatalogService(deps),
    audit: createConsoleAuditService(deps.db),
  };
}

export type ConsoleServices = ReturnType<typeof createConsole>;
